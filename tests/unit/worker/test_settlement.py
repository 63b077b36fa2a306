"""Settlement: signed batches of pending results, disjoint leases, settled results dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.unit.worker.support import delivery, result
from veritee.chain.types import JobStatus
from veritee.crypto.typed_data import Domain
from veritee.protocol import BatchRequest, JobState
from veritee.worker.enclave import EnclaveIdentity
from veritee.worker.results import ResultBook
from veritee.worker.settlement import Settlement

DOMAIN = Domain("veritee Jobs", "1", 31337, "0x" + "07" * 20)
RELAYER_A = "0x" + "aa" * 20
RELAYER_B = "0x" + "bb" * 20


class FakeJobs:
    """Jobs.job_statuses: one read per batch of statuses, whatever its size."""

    def __init__(self) -> None:
        self.known: dict[int, JobStatus] = {}
        self.asked: list[list[int]] = []

    def statuses(self, job_ids: list[int]) -> list[JobStatus]:
        self.asked.append(list(job_ids))
        return [self.known.get(job_id, JobStatus.PENDING) for job_id in job_ids]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def _direct(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def _setup(
    *job_ids: int, chain_now: int = 100
) -> tuple[Settlement, ResultBook, FakeJobs, list[int], Clock]:
    book = ResultBook()
    for job_id in job_ids:
        book.accept(delivery(job_id, deadline=1_000 + job_id))
        book.start(job_id)
        book.finish(job_id, result(job_id, status=0 if job_id % 2 else 3), reason="r")
    jobs = FakeJobs()
    saves: list[int] = []

    async def persist() -> None:
        saves.append(1)

    clock = Clock()
    settlement = Settlement(
        book=book,
        jobs=jobs,  # type: ignore[arg-type]
        domain=DOMAIN,
        identity=EnclaveIdentity.generate(),
        offload=_direct,
        chain_time=lambda: chain_now,
        persist=persist,
        clock=clock,
    )
    return settlement, book, jobs, saves, clock


def test_batches_are_signed_and_leases_disjoint() -> None:
    settlement, book, _, _, clock = _setup(1, 2, 3)

    async def scenario() -> None:
        first = await settlement.batch(BatchRequest(RELAYER_A, max_results=2, lease_seconds=30))
        assert first is not None
        first.check(DOMAIN)
        assert first.worker == settlement.identity.address
        assert list(first.job_ids) == [1, 2]
        assert [r.status for r in first.results] == [0, 3]
        second = await settlement.batch(BatchRequest(RELAYER_B, max_results=5, lease_seconds=60))
        assert second is not None and list(second.job_ids) == [3]
        assert await settlement.batch(BatchRequest(RELAYER_B)) is None
        clock.now += 30  # the first lease ran out without settlement
        again = await settlement.batch(BatchRequest(RELAYER_B, max_results=5))
        assert again is not None and list(again.job_ids) == [1, 2]

    asyncio.run(scenario())
    assert book.counts(clock.now)["leased"] == 3


def test_results_no_longer_pending_are_dropped_and_the_batch_filled() -> None:
    settlement, book, jobs, saves, _ = _setup(1, 2, 3, 4)
    jobs.known = {1: JobStatus.SETTLED, 2: JobStatus.EXPIRED}

    async def scenario() -> None:
        batch = await settlement.batch(BatchRequest(RELAYER_A, max_results=2))
        assert batch is not None and list(batch.job_ids) == [3, 4]

    asyncio.run(scenario())
    assert book.get(1).state is JobState.SETTLED  # type: ignore[union-attr]
    assert book.get(2).state is JobState.SETTLED  # type: ignore[union-attr]
    assert saves  # the change was sealed


def test_results_past_their_deadline_are_not_offered() -> None:
    settlement, book, _, _, _ = _setup(1, 2, chain_now=1_001)

    async def scenario() -> None:
        batch = await settlement.batch(BatchRequest(RELAYER_A))
        assert batch is not None and list(batch.job_ids) == [2]

    asyncio.run(scenario())
    record = book.get(1)
    assert record is not None and record.state is JobState.SETTLED
    assert record.reason is not None and record.reason.startswith("past its deadline")


def test_sweep_marks_what_relayers_settled() -> None:
    settlement, book, jobs, _, _ = _setup(1, 2, 3)

    async def scenario() -> None:
        batch = await settlement.batch(BatchRequest(RELAYER_A, max_results=2))
        assert batch is not None
        jobs.known = {1: JobStatus.SETTLED, 2: JobStatus.FAILED}
        assert await settlement.sweep() == 2
        assert jobs.asked[-1] == [1, 2]  # only leased results are read, in one call
        assert await settlement.sweep() == 0

    asyncio.run(scenario())
    assert [r.job_id for r in book if r.state is JobState.SETTLED] == [1, 2]
