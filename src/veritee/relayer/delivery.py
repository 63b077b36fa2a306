"""Delivering jobs to their workers: concurrently, with retries and backoff.

Each due job is posted to its worker's ``/v1/jobs``. A 2xx answer means the worker holds it; a
refusal (409, or another 4xx) is recorded with the worker's reason and never retried (the job
will expire, or the worker settles it as failed); anything else is retried after an
exponentially growing, jittered wait until the retry policy gives up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from veritee.exceptions import ChainError, JobError
from veritee.protocol import JobDelivery
from veritee.relayer.directory import WorkerDirectory
from veritee.relayer.policy import DeliveryOutcome, RetryPolicy, classify_delivery
from veritee.relayer.records import Attempt, DeliveryRow
from veritee.relayer.store import RelayerStore
from veritee.relayer.worker_client import DeliveryAnswer, WorkerClient

__all__ = ["DeliveryTally", "JobCourier"]

log = logging.getLogger(__name__)


@dataclass
class DeliveryTally:
    """What one delivery round did."""

    delivered: int = 0
    refused: int = 0
    retrying: int = 0
    abandoned: int = 0


class JobCourier:
    """Delivers due jobs from the store to their workers and records each outcome."""

    def __init__(
        self,
        store: RelayerStore,
        directory: WorkerDirectory,
        client: WorkerClient,
        retry: RetryPolicy,
        *,
        rng: random.Random,
        clock: Callable[[], float],
        concurrency: int,
    ) -> None:
        self._store = store
        self._directory = directory
        self._client = client
        self._retry = retry
        self._rng = rng
        self._clock = clock
        self._concurrency = concurrency

    async def deliver_due(self, chain_time: int, limit: int = 1_000) -> DeliveryTally:
        """One round: every job due now (at most ``limit``), delivered concurrently."""
        due = self._store.due(self._clock(), chain_time, limit)
        if not due:
            return DeliveryTally()
        gate = asyncio.Semaphore(self._concurrency)

        async def one(row: DeliveryRow) -> tuple[DeliveryRow, DeliveryAnswer]:
            try:
                endpoint = self._directory.endpoint(row.worker)
            except (JobError, ChainError) as exc:
                return row, DeliveryAnswer(None, str(exc))
            delivery = JobDelivery.from_json(json.loads(row.payload))
            async with gate:
                return row, await self._client.deliver(endpoint, delivery)

        answers = await asyncio.gather(*(one(row) for row in due))
        now = self._clock()
        tally = DeliveryTally()
        attempts = [self._judge(row, answer, now, tally) for row, answer in answers]
        self._store.record_attempts(attempts, now)
        return tally

    def _judge(
        self, row: DeliveryRow, answer: DeliveryAnswer, now: float, tally: DeliveryTally
    ) -> Attempt:
        outcome = classify_delivery(answer.status_code)
        if outcome is DeliveryOutcome.DELIVERED:
            tally.delivered += 1
            return Attempt(row.job_id, "delivered")
        if outcome is DeliveryOutcome.REFUSED:
            tally.refused += 1
            log.warning("worker %s refused job %d: %s", row.worker, row.job_id, answer.reason)
            return Attempt(row.job_id, "refused", answer.reason)
        if answer.status_code is None:
            self._directory.forget(row.worker)  # unreachable: it may have moved
        attempts = row.attempts + 1
        retry_at = self._retry.next_attempt_at(attempts, now, self._rng)
        if retry_at is None:
            tally.abandoned += 1
            log.warning(
                "giving up delivering job %d to %s after %d attempts: %s",
                row.job_id,
                row.worker,
                attempts,
                answer.reason,
            )
            return Attempt(row.job_id, "abandoned", answer.reason)
        tally.retrying += 1
        log.info(
            "delivery of job %d to %s failed (%s); retrying in %.1f s",
            row.job_id,
            row.worker,
            answer.reason,
            retry_at - now,
        )
        return Attempt(row.job_id, "pending", answer.reason, retry_at)
