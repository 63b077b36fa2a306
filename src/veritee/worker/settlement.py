"""From finished results to signed batches, and learning which results the chain has settled.

:class:`Settlement` answers ``POST /v1/batches``: it takes the finished results not leased and
before their deadline, drops those the chain no longer holds pending (settled by an earlier
batch, failed, expired), signs the EIP-712 ``ResultBatch`` of the rest with the enclave key and
leases them to the asking relayer. :meth:`Settlement.sweep` (run periodically) marks leased
results that a relayer has settled since, so ``GET /v1/jobs/{id}`` says ``settled``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from veritee.chain.clients import JobsClient
from veritee.chain.types import JobStatus
from veritee.crypto.typed_data import Domain, batch_digest, sign_digest
from veritee.protocol import BatchRequest, SignedBatch
from veritee.worker.enclave import EnclaveIdentity
from veritee.worker.results import JobRecord, ResultBook

__all__ = ["Settlement"]

Offload = Callable[..., Awaitable[Any]]


class Settlement:
    """Batches and settlement tracking for one enclave's result book.

    ``chain_time()`` returns the latest block's timestamp; ``persist()`` seals the state after
    a change; ``clock`` is this machine's time (leases).
    """

    def __init__(
        self,
        *,
        book: ResultBook,
        jobs: JobsClient,
        domain: Domain,
        identity: EnclaveIdentity,
        offload: Offload,
        chain_time: Callable[[], int],
        persist: Callable[[], Awaitable[None]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.book = book
        self.jobs = jobs
        self.domain = domain
        self.identity = identity
        self.offload = offload
        self.chain_time = chain_time
        self.persist = persist
        self.clock = clock
        self._lock = asyncio.Lock()

    def _statuses(self, job_ids: Sequence[int]) -> list[JobStatus]:
        return self.jobs.statuses(job_ids)

    def _drop_too_late(self, now: float, chain_now: int) -> bool:
        late = [j for j in self.book.too_late(chain_now) if self._finished(j)]
        for job_id in late:
            self.book.settle(job_id, now, "past its deadline: the chain no longer takes a result")
        return bool(late)

    def _finished(self, job_id: int) -> bool:
        record = self.book.get(job_id)
        return record is not None and record.finished

    async def batch(self, request: BatchRequest) -> SignedBatch | None:
        """A signed batch of up to ``request.max_results`` results leased to the relayer."""
        async with self._lock:
            now = self.clock()
            chain_now = await self.offload(self.chain_time)
            changed = self._drop_too_late(now, chain_now)
            candidates = self.book.available(now, chain_now, len(self.book))
            picked: list[JobRecord] = []
            index = 0
            while len(picked) < request.max_results and index < len(candidates):
                chunk = candidates[index : index + request.max_results - len(picked)]
                index += len(chunk)
                statuses = await self.offload(self._statuses, [r.job_id for r in chunk])
                for record, status in zip(chunk, statuses, strict=True):
                    if status is JobStatus.PENDING:
                        picked.append(record)
                    else:
                        self.book.settle(record.job_id, now)
                        changed = True
            changed = self.book.prune(now) > 0 or changed
            if changed:
                await self.persist()
            if not picked:
                return None
            results = self.book.lease(
                [r.job_id for r in picked], request.relayer, now + request.lease_seconds
            )
            worker = self.identity.address
            signature = sign_digest(
                self.identity.signing_key, batch_digest(self.domain, worker, results)
            )
            return SignedBatch(worker, tuple(results), signature)

    async def sweep(self) -> int:
        """Mark results the chain has settled (or can no longer take); returns how many."""
        async with self._lock:
            now = self.clock()
            chain_now = await self.offload(self.chain_time)
            changed = self._drop_too_late(now, chain_now)
            handed_out = [r.job_id for r in self.book if r.finished and r.lease is not None]
            settled = 0
            if handed_out:
                statuses = await self.offload(self._statuses, handed_out)
                for job_id, status in zip(handed_out, statuses, strict=True):
                    if status is not JobStatus.PENDING:
                        self.book.settle(job_id, now)
                        settled += 1
            if self.book.prune(now) or settled or changed:
                await self.persist()
            return settled
