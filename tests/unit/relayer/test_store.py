"""RelayerStore: the cursor moves with the jobs it read, and every change is atomic."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_utils import to_checksum_address

from veritee.crypto.typed_data import JobResult
from veritee.exceptions import ConfigError
from veritee.protocol import SignedBatch
from veritee.relayer.records import Attempt, NewJob
from veritee.relayer.store import RelayerStore

WORKER = to_checksum_address("0x" + "aa" * 20)
OTHER = to_checksum_address("0x" + "bb" * 20)


def job(job_id: int, *, worker: str = WORKER, deadline: int = 1_000, block: int = 5) -> NewJob:
    return NewJob(job_id, worker, deadline, block, f'{{"job_id": {job_id}}}')


def batch(*job_ids: int, signature: bytes = b"\x01" * 65) -> SignedBatch:
    results = tuple(JobResult(j, bytes(32), f"blob://{j}") for j in job_ids)
    return SignedBatch(WORKER, results, signature)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RelayerStore]:
    with RelayerStore(tmp_path / "relayer.db") as opened:
        yield opened


def test_a_new_file_has_no_cursor_and_uses_wal(tmp_path: Path) -> None:
    with RelayerStore(tmp_path / "sub" / "r.db") as store:
        assert store.cursor() is None
        assert store.counts() == {"finished": 0}
    with sqlite3.connect(tmp_path / "sub" / "r.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_advance_records_jobs_and_cursor_together(store: RelayerStore) -> None:
    assert store.advance(10, "0xten", [job(1), job(2)], {}) == 2
    cursor = store.cursor()
    assert cursor is not None and (cursor.number, cursor.hash) == (10, "0xten")
    assert [row.job_id for row in store.due(0.0, 0, 10)] == [1, 2]


def test_inserting_a_known_job_is_a_no_op(store: RelayerStore) -> None:
    store.advance(10, "0xa", [job(1)], {})
    store.record_attempts([Attempt(1, "delivered")], now=50.0)
    assert store.advance(11, "0xb", [job(1, worker=OTHER, deadline=9)], {}) == 0
    row = store.delivery(1)
    assert row is not None and (row.worker, row.deadline, row.state) == (WORKER, 1_000, "delivered")


def test_a_failed_advance_leaves_nothing_behind(store: RelayerStore) -> None:
    store.advance(10, "0xa", [job(1)], {})
    broken = NewJob(2**64, WORKER, 1_000, 11, "{}")  # too large for an SQLite integer
    with pytest.raises(OverflowError):
        store.advance(11, "0xb", [job(3), broken], {})
    cursor = store.cursor()
    assert cursor is not None and cursor.number == 10
    assert store.delivery(3) is None


def test_state_survives_reopening(tmp_path: Path) -> None:
    with RelayerStore(tmp_path / "r.db") as store:
        store.advance(10, "0xa", [job(1)], {})
    with RelayerStore(tmp_path / "r.db") as store:
        cursor = store.cursor()
        assert cursor is not None and cursor.number == 10
        assert store.delivery(1) is not None


def test_bind_refuses_a_file_of_another_deployment(store: RelayerStore) -> None:
    store.bind(chain_id="1", jobs="0xjobs", relayer="0xme")
    store.bind(chain_id="1", jobs="0xjobs", relayer="0xme")  # the same: fine
    with pytest.raises(ConfigError, match="belongs to relayer 0xme, not 0xyou"):
        store.bind(chain_id="1", jobs="0xjobs", relayer="0xyou")


def test_due_respects_time_deadline_state_and_finished(store: RelayerStore) -> None:
    store.advance(10, "0xa", [job(1), job(2), job(3, deadline=50), job(4)], {4: 2})
    store.record_attempts([Attempt(1, "pending", "down", next_attempt_at=100.0)], now=0.0)
    store.record_attempts([Attempt(2, "refused", "HTTP 409: no")], now=0.0)
    assert [r.job_id for r in store.due(99.0, 60, 10)] == []
    assert [r.job_id for r in store.due(100.0, 60, 10)] == [1]
    assert [r.job_id for r in store.due(100.0, 40, 10)] == [3, 1]  # the longest due first
    row = store.delivery(1)
    assert row is not None and (row.attempts, row.last_error) == (1, "down")


def test_outstanding_counts_delivered_jobs_not_finished_nor_in_flight(store: RelayerStore) -> None:
    store.advance(10, "0xa", [job(1), job(2), job(3), job(4, worker=OTHER), job(5)], {})
    store.record_attempts([Attempt(j, "delivered") for j in (1, 2, 3)], now=10.0)
    store.record_attempts([Attempt(4, "delivered")], now=20.0)
    assert store.outstanding(0) == {WORKER: (3, 10.0), OTHER: (1, 20.0)}
    store.mark_finished({1: 2}, 11)
    submission = store.record_submission(batch(2), now=30.0)
    assert submission is not None
    assert store.in_flight() == {2: submission}
    assert store.outstanding(0) == {WORKER: (1, 10.0), OTHER: (1, 20.0)}
    assert store.outstanding(1_000) == {}  # all past their deadline


def test_delivered_at_keeps_the_first_delivery(store: RelayerStore) -> None:
    store.advance(10, "0xa", [job(1)], {})
    store.record_attempts([Attempt(1, "delivered")], now=10.0)
    store.record_attempts([Attempt(1, "delivered")], now=99.0)
    row = store.delivery(1)
    assert row is not None and row.delivered_at == 10.0


def test_overdue_lists_unfinished_jobs_past_their_deadline(store: RelayerStore) -> None:
    store.advance(10, "0xa", [job(1, deadline=5), job(2, deadline=5), job(3, deadline=50)], {2: 4})
    assert store.overdue(10, 10) == [1]
    assert store.overdue(100, 10) == [1, 3]
    assert store.overdue(100, 1) == [1]


def test_a_batch_is_recorded_once_while_it_may_still_be_mined(store: RelayerStore) -> None:
    store.advance(10, "0xa", [job(1), job(2)], {})
    first = store.record_submission(batch(1, 2), now=1.0)
    assert first is not None
    assert store.record_submission(batch(1, 2), now=2.0) is None
    store.record_broadcast(first, 7, "0xhash1")
    store.record_broadcast(first, 7, "0xhash2")  # a fee-bumped replacement
    (sent,) = store.submissions("sent")
    assert (sent.nonce, sent.tx_hashes, sent.batch) == (7, ("0xhash1", "0xhash2"), batch(1, 2))
    store.close_submission(first, "confirmed", {1: 2, 2: 3}, 12)
    assert store.record_submission(batch(1, 2), now=3.0) is None  # confirmed: never again
    assert (store.finished(1), store.finished(2)) == (2, 3)
    assert store.in_flight() == {}


def test_a_dead_submission_may_be_sent_again(store: RelayerStore) -> None:
    first = store.record_submission(batch(1), now=1.0)
    assert first is not None
    store.close_submission(first, "dropped", {}, 12, "never broadcast")
    second = store.record_submission(batch(1), now=2.0)
    assert second is not None and second != first
    assert [(s.state, s.error) for s in store.submissions()] == [
        ("dropped", "never broadcast"),
        ("recorded", None),
    ]


def test_rewind_forgets_what_later_blocks_said(store: RelayerStore) -> None:
    store.advance(10, "0xa", [job(1, block=10)], {})
    store.advance(20, "0xb", [job(2, block=15)], {1: 2})
    store.rewind(12)
    cursor = store.cursor()
    assert cursor is not None and (cursor.number, cursor.hash) == (10, "0xa")
    assert store.delivery(1) is not None and store.delivery(2) is None
    assert store.finished(1) is None
    assert store.checkpoints() == [(10, "0xa")]
    store.rewind(12)  # idempotent
    assert store.checkpoints() == [(10, "0xa")]


def test_old_checkpoints_are_pruned(store: RelayerStore) -> None:
    for number in range(0, 1_000, 10):
        store.advance(number, f"0x{number}", [], {})
    kept = [n for n, _ in store.checkpoints()]
    assert min(kept) > 990 - 256 and max(kept) == 990


def test_counts_by_state(store: RelayerStore) -> None:
    store.advance(10, "0xa", [job(1), job(2), job(3)], {3: 2})
    store.record_attempts([Attempt(1, "delivered")], now=1.0)
    assert store.counts() == {"delivered": 1, "pending": 2, "finished": 1}
