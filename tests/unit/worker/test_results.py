"""ResultBook: states, leases that run out, deadlines, settlement, retention, sealed form."""

from __future__ import annotations

import pytest

from tests.unit.worker.support import DEADLINE, delivery, result
from veritee.exceptions import JobError
from veritee.protocol import JobState
from veritee.worker.results import JobRecord, ResultBook


def _book_with_results(*job_ids: int, status: int = 0) -> ResultBook:
    book = ResultBook()
    for job_id in job_ids:
        book.accept(delivery(job_id))
        book.start(job_id)
        book.finish(job_id, result(job_id, status), reason="bad" if status else None)
    return book


def test_accept_is_idempotent() -> None:
    book = ResultBook()
    record, new = book.accept(delivery(1))
    again, new_again = book.accept(delivery(1))
    assert new and not new_again and again is record
    assert record.state is JobState.QUEUED and book.queued() == [1]


def test_lifecycle_done_and_failed() -> None:
    book = ResultBook()
    book.accept(delivery(1))
    book.accept(delivery(2))
    book.start(1)
    with pytest.raises(JobError, match="not queued"):
        book.start(1)
    book.finish(1, result(1), timings_ms={"input": 1.5})
    book.start(2)
    book.finish(2, result(2, status=3), reason="model artifact does not match")
    one, two = book.get(1), book.get(2)
    assert one is not None and two is not None
    assert one.view().to_json() == {"job_id": 1, "state": "done"}
    assert one.timings_ms == {"input": 1.5}
    assert two.view().to_json() == {
        "job_id": 2,
        "state": "failed",
        "reason": "model artifact does not match",
    }


def test_finish_refuses_another_jobs_result() -> None:
    book = ResultBook()
    book.accept(delivery(1))
    with pytest.raises(JobError, match="result for job 2"):
        book.finish(1, result(2))


def test_available_orders_by_deadline_and_respects_limit() -> None:
    book = ResultBook()
    for job_id, deadline in ((1, 500), (2, 300), (3, 400)):
        book.accept(delivery(job_id, deadline=deadline))
        book.start(job_id)
        book.finish(job_id, result(job_id))
    assert [r.job_id for r in book.available(0.0, 0, 10)] == [2, 3, 1]
    assert [r.job_id for r in book.available(0.0, 0, 2)] == [2, 3]
    # At or past its deadline a result can no longer settle.
    assert [r.job_id for r in book.available(0.0, 400, 10)] == [1]
    assert sorted(book.too_late(400)) == [2, 3]


def test_leases_are_exclusive_until_they_run_out() -> None:
    book = _book_with_results(1, 2)
    leased = book.lease([1], "0x" + "01" * 20, until=100.0)
    assert [r.job_id for r in leased] == [1]
    assert [r.job_id for r in book.available(50.0, 0, 10)] == [2]
    assert book.counts(50.0)["leased"] == 1 and book.counts(50.0)["ready"] == 1
    # The lease ran out without settlement: offered again.
    assert [r.job_id for r in book.available(100.0, 0, 10)] == [1, 2]


def test_only_finished_results_can_be_leased() -> None:
    book = ResultBook()
    book.accept(delivery(1))
    with pytest.raises(JobError, match="no result"):
        book.lease([1], "0x" + "01" * 20, 10.0)


def test_settle_prune_and_counts() -> None:
    book = _book_with_results(1, 2, status=0)
    book.accept(delivery(3))
    book.accept(delivery(4))
    book.start(4)
    book.accept(delivery(5))
    book.start(5)
    book.finish(5, result(5, status=2), reason="x")
    book.settle(1, now=10.0)
    book.settle(1, now=20.0)  # a second settle changes nothing
    record = book.get(1)
    assert record is not None and record.settled_at == 10.0
    assert book.counts(0.0) == {
        "queued": 1,
        "running": 1,
        "ready": 2,
        "leased": 0,
        "settled": 1,
        "failed": 1,
    }
    assert book.available(0.0, 0, 10)[0].job_id == 2
    assert book.prune(10.0 + book.settled_retention) == 0
    assert book.prune(11.0 + book.settled_retention) == 1
    assert 1 not in book and len(book) == 4


def test_requeue_hands_a_running_job_back() -> None:
    book = ResultBook()
    book.accept(delivery(1))
    book.start(1)
    book.requeue(1)
    assert book.queued() == [1]


def test_sealed_form_round_trips_and_resumes_running_jobs() -> None:
    book = _book_with_results(1, status=4)
    book.accept(delivery(2))
    book.start(2)
    book.accept(delivery(3))
    book.lease([1], "0x" + "01" * 20, 99.0)
    records = [JobRecord.from_json(r.to_json()) for r in book]
    restored = ResultBook()
    restored.restore(records)
    one = restored.get(1)
    assert one is not None and one.result == result(1, 4) and one.reason == "bad"
    assert one.lease is None  # leases end with the process
    assert restored.queued() == [2, 3]
    assert restored.get(2) is not None and restored.get(2).delivery == delivery(2)  # type: ignore[union-attr]
    assert one.delivery.deadline == DEADLINE
