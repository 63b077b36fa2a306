"""The relayer on the embedded chain against a fake worker: delivery, batching, confirmations,
refusals, retries with backoff, reorgs and expiry.

Each test starts from the same deployed world (a chain snapshot reverted afterwards) and drives
the relayer round by round with :meth:`Relayer.tick` and a manual clock.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_relayer_fakes import (
    MAX_FEE,
    RELAYER_A,
    REQUESTER,
    ManualClock,
    World,
    build_world,
    free_port,
)
from veritee.chain import EmbeddedChain
from veritee.chain.types import JobStatus
from veritee.protocol import JobDelivery
from veritee.relayer import Relayer, RelayerConfig


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with EmbeddedChain() as backend:
        yield build_world(backend)


@pytest.fixture
def fresh(world: World) -> Iterator[World]:
    snapshot = world.devnet.backend.snapshot()
    yield world
    world.devnet.backend.revert(snapshot)
    world.devnet.resync()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def _relayer(config: RelayerConfig, clock: ManualClock) -> Relayer:
    return Relayer(config, clock=clock, rng=random.Random(7))


def test_jobs_settle_in_full_batches_then_after_batch_wait(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        jobs = fresh.submit(5)
        config = fresh.config(tmp_path / "r.db", batch_size=2, batch_wait=30)
        with _relayer(config, clock) as relayer:
            first = relayer.tick()
            assert (first.new_jobs, first.delivered) == (5, 5)
            # Two full batches at once; the fifth job waits for company or for batch_wait.
            assert (first.submitted, first.settled_jobs) == (2, 4)
            assert [len(b.results) for b in worker.batches] == [2, 2]
            clock.advance(29)
            assert relayer.tick().submitted == 0
            clock.advance(2)
            last = relayer.tick()
            assert (last.submitted, last.settled_jobs) == (1, 1)
            assert relayer.tick().submitted == 0
    assert sorted(fresh.settled()) == jobs
    assert all(fresh.status(job) is JobStatus.SETTLED for job in jobs)
    assert fresh.sent_by(RELAYER_A) == 3
    assert all(count == 1 for count in worker.deliveries.values())


def test_a_job_is_not_delivered_before_its_confirmations(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        (job,) = fresh.submit(1)
        with _relayer(fresh.config(tmp_path / "r.db", confirmations=2), clock) as relayer:
            for _ in range(2):
                report = relayer.tick()
                assert (report.new_jobs, report.delivered) == (0, 0)
                assert worker.deliveries[job] == 0
                fresh.devnet.backend.mine(1)
            report = relayer.tick()
            assert (report.new_jobs, report.delivered, report.settled_jobs) == (1, 1, 1)
            assert report.cursor == report.head - 2
    assert fresh.settled() == [job]


def test_a_worker_that_is_down_is_retried_with_backoff_then_served(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    port = free_port()
    fresh.point_worker_to(f"http://127.0.0.1:{port}")
    (job,) = fresh.submit(1)
    config = fresh.config(tmp_path / "r.db", base_backoff=2.0, max_backoff=60.0, max_attempts=5)
    with _relayer(config, clock) as relayer:
        delays = []
        for attempt in (1, 2, 3):
            report = relayer.tick()
            assert (report.retrying, report.delivered) == (1, 0)
            row = relayer.store.delivery(job)
            assert row is not None and row.attempts == attempt and row.state == "pending"
            assert row.last_error is not None and "ConnectError" in row.last_error
            delays.append(row.next_attempt_at - clock.now)
            # Not due yet: nothing is attempted.
            assert relayer.tick().retrying == 0
            clock.advance(delays[-1])
        # Exponential, jittered by at most half: attempt n waits in [2^n / 2, 2^n] seconds.
        for attempt, delay in enumerate(delays, start=1):
            assert 2.0**attempt / 2 <= delay <= 2.0**attempt
        with fresh.worker(clock, port=port) as worker:
            report = relayer.tick()
            assert (report.delivered, report.settled_jobs) == (1, 1)
            assert worker.deliveries[job] == 1
    assert fresh.settled() == [job]


def test_delivery_is_abandoned_after_max_attempts(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    fresh.point_worker_to(f"http://127.0.0.1:{free_port()}")
    (job,) = fresh.submit(1)
    with _relayer(fresh.config(tmp_path / "r.db", max_attempts=2), clock) as relayer:
        assert relayer.tick().retrying == 1
        clock.advance(10)
        assert relayer.tick().abandoned == 1
        clock.advance(1_000)
        report = relayer.tick()
        assert (report.retrying, report.abandoned) == (0, 0)
        row = relayer.store.delivery(job)
        assert row is not None and (row.state, row.attempts) == ("abandoned", 2)


def test_a_refusal_is_recorded_and_not_retried(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        refused, served = fresh.submit(2)
        worker.refuse[refused] = "model not served by this worker"
        with _relayer(fresh.config(tmp_path / "r.db"), clock) as relayer:
            report = relayer.tick()
            assert (report.delivered, report.refused, report.settled_jobs) == (1, 1, 1)
            row = relayer.store.delivery(refused)
            assert row is not None and row.state == "refused"
            assert row.last_error == "HTTP 409: model not served by this worker"
            for _ in range(3):
                clock.advance(600)
                assert relayer.tick().refused == 0
        assert worker.deliveries[refused] == 1
    assert fresh.settled() == [served]
    assert fresh.status(refused) is JobStatus.PENDING


def test_overdue_jobs_are_expired_and_the_requester_refunded(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        (job,) = fresh.submit(1, deadline_in=120)
        worker.refuse[job] = "cannot run this now"
        jobs = fresh.devnet.network(0).jobs
        relayer_address = fresh.devnet.backend.accounts[RELAYER_A].address
        requester = fresh.devnet.backend.accounts[REQUESTER].address
        refund_before = jobs.claimable(requester)
        db = tmp_path / "r.db"
        with _relayer(fresh.config(db, expire_overdue=False), clock) as relayer:
            assert relayer.tick().refused == 1
            fresh.devnet.backend.advance_time(200)
            assert relayer.tick().expired == 0
        assert fresh.status(job) is JobStatus.PENDING
        with _relayer(fresh.config(db, expire_overdue=True), clock) as relayer:
            assert relayer.tick().expired == 1
            assert relayer.store.finished(job) == int(JobStatus.EXPIRED)
            assert relayer.tick().expired == 0
    assert fresh.status(job) is JobStatus.EXPIRED
    assert jobs.claimable(requester) - refund_before == MAX_FEE
    slashed = fresh.devnet.network(0).jobs.events("JobExpired")[-1].args
    assert slashed["caller"] == relayer_address
    assert jobs.claimable(relayer_address) == slashed["caller_reward"] > 0


def test_a_reorg_below_the_cursor_is_rewound_and_read_again(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        fork = fresh.devnet.backend.snapshot()
        (job,) = fresh.submit(1, tag=b"first fork")
        config = fresh.config(tmp_path / "r.db", batch_wait=3_600)  # deliver, do not settle
        with _relayer(config, clock) as relayer:
            assert relayer.tick().new_jobs == 1
            first = relayer.store.delivery(job)
            # The chain drops those blocks and grows a longer branch with another job, same id.
            fresh.devnet.backend.revert(fork)
            fresh.devnet.resync()
            fresh.devnet.backend.mine(1)
            (again,) = fresh.submit(1, tag=b"second fork")
            assert again == job
            report = relayer.tick()
            assert report.rewound_to is not None and report.rewound_to < report.cursor
            assert report.new_jobs == 1
            second = relayer.store.delivery(job)
            assert first is not None and second is not None
            assert first.payload != second.payload
            assert second.payload == worker_payload(fresh, job)
            assert relayer.tick().rewound_to is None


def worker_payload(world: World, job_id: int) -> str:
    """The delivery JSON of job ``job_id`` as the chain has it now."""
    (event,) = world.devnet.network(0).jobs.events(
        "JobSubmitted", argument_filters={"job_id": job_id}
    )
    return json.dumps(JobDelivery.from_event(event.args).to_json(), sort_keys=True)
