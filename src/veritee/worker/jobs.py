"""Taking and running jobs: a delivery checked against the chain, then the job's pipeline.

:class:`JobDesk` is the part of the node between the HTTP API and the pipeline. A delivery is
compared with the job the chain records ``confirmations`` blocks back (:mod:`.admission`); an
accepted job is sealed into the state before it is queued, so an acknowledged job survives a
crash. A queued job re-checks that the chain still holds it pending before it runs; its outcome
(a result or a failure, :mod:`.executor`) is recorded and sealed. A job that could not finish
for a passing reason (its result could not be stored, the chain could not be read) is queued
again a little later; one cut short by a shutdown goes back to the queue.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from veritee.chain.clients import JobInfo, Network
from veritee.chain.types import JobId, JobStatus
from veritee.exceptions import ChainError, JobRejected
from veritee.protocol import JobDelivery, JobState
from veritee.worker.admission import check_delivery, differing_field
from veritee.worker.executor import JobPipeline, ResultNotStored
from veritee.worker.results import JobRecord, ResultBook
from veritee.worker.scheduler import JobScheduler

__all__ = ["RETRY_DELAY", "JobDesk"]

_log = logging.getLogger(__name__)
#: Seconds before a job that hit a passing failure (result store, chain read) runs again.
RETRY_DELAY = 5.0


class JobDesk:
    """Accepts deliveries for ``enclave`` and runs them through ``pipeline``, ``capacity`` at
    a time; ``persist()`` seals the book after each change that matters."""

    def __init__(
        self,
        *,
        book: ResultBook,
        network: Network,
        pipeline: JobPipeline,
        enclave: str,
        models: Collection[int],
        confirmations: int,
        capacity: int,
        offload: Callable[..., Awaitable[Any]],
        persist: Callable[[], Awaitable[None]],
    ) -> None:
        self.book = book
        self.network = network
        self.pipeline = pipeline
        self.enclave = enclave
        self.models = models
        self.confirmations = confirmations
        self.offload = offload
        self.persist = persist
        self.scheduler = JobScheduler(self.execute, capacity)

    def start(self) -> None:
        """Start running jobs, beginning with those the sealed state left queued."""
        self.scheduler.start()
        for job_id in self.book.queued():
            self.scheduler.submit(job_id)

    def _read_job(self, job_id: int) -> tuple[JobInfo, int]:
        """The job as of ``confirmations`` blocks back, and the latest block's timestamp."""
        latest = self.network.w3.eth.get_block("latest")
        block = max(int(latest["number"]) - self.confirmations, 0)
        job = self.network.jobs.at_block(block).job(JobId(job_id))
        return job, int(latest["timestamp"])

    def _job_status(self, job_id: int) -> tuple[JobStatus, int]:
        status = self.network.jobs.status(JobId(job_id))
        return status, int(self.network.w3.eth.get_block("latest")["timestamp"])

    async def deliver(self, delivery: JobDelivery) -> tuple[bool, JobRecord]:
        """Accept a delivered job; returns whether it is new, and its record.

        Raises :class:`JobRejected` (the reason names the field or the rule) and
        :class:`ChainError` when the chain cannot be read.
        """
        known = self.book.get(delivery.job_id)
        if known is not None:
            field = differing_field(delivery, known.delivery)
            if field is not None:
                raise JobRejected(delivery.job_id, f"delivered {field} differs from the chain's")
            return False, known
        job, chain_now = await self.offload(self._read_job, delivery.job_id)
        check_delivery(delivery, job, enclave=self.enclave, models=self.models, chain_now=chain_now)
        record, new = self.book.accept(delivery)
        if new:
            await self.persist()
            self.scheduler.submit(delivery.job_id)
            _log.info("job %d accepted", delivery.job_id)
        return new, record

    async def execute(self, job_id: int) -> None:
        """Run queued job ``job_id`` to a recorded outcome (the scheduler calls this)."""
        record = self.book.get(job_id)
        if record is None or record.state is not JobState.QUEUED:
            return
        try:
            status, chain_now = await self.offload(self._job_status, job_id)
        except ChainError as exc:
            self._retry(job_id, f"chain unreachable ({exc})")
            return
        if status is not JobStatus.PENDING or chain_now >= record.delivery.deadline:
            self.book.settle(job_id, time.time(), "job is no longer pending on-chain")
            await self.persist()
            return
        self.book.start(job_id)
        try:
            outcome = await self.pipeline.run(record.delivery)
        except (ResultNotStored, ChainError) as exc:
            self.book.requeue(job_id)
            self._retry(job_id, str(exc))
            return
        except asyncio.CancelledError:
            self.book.requeue(job_id)
            raise
        self.book.finish(
            job_id, outcome.result, reason=outcome.reason, timings_ms=outcome.timings_ms
        )
        _log.info(
            "job %d %s (status %d) in %.1f ms",
            job_id,
            "done" if outcome.result.status == 0 else "failed",
            outcome.result.status,
            outcome.timings_ms.get("total", 0.0),
        )
        await self.persist()

    def _retry(self, job_id: int, why: str) -> None:
        _log.warning("job %d: %s; running it again in %.0f s", job_id, why, RETRY_DELAY)
        self.scheduler.retry_later(job_id, RETRY_DELAY)

    async def drain(self, timeout: float) -> set[int]:
        """Stop taking jobs; give running ones ``timeout`` seconds; returns those cut short."""
        return await self.scheduler.drain(timeout)
