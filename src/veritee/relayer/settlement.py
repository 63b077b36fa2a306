"""Settling results: ask workers for signed batches, check them, pay gas for good ones only.

A batch is checked before any gas is spent: the enclave key must have signed exactly these
results (the same EIP-712 digest ``Jobs.settle`` checks), the chain must have assigned every
job to that worker, and no job may already be in one of this relayer's unfinished submissions.
The settlement is recorded in the store before it is broadcast (see ``broadcast``), so a
relayer restarted at any point finds its transaction again by hash and never sends the same
batch twice. A revert is expected when several relayers race: the jobs the chain says are
finished are marked so, and the rest are asked for again once the worker's lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from eth_utils import to_checksum_address
from hexbytes import HexBytes

from veritee.chain.clients import Network
from veritee.chain.types import JobId
from veritee.crypto.typed_data import Domain
from veritee.exceptions import (
    ChainError,
    ContractRevert,
    JobError,
    SignatureError,
    TransactionError,
)
from veritee.protocol import BatchRequest, SignedBatch
from veritee.relayer.broadcast import RecordingSender
from veritee.relayer.directory import WorkerDirectory
from veritee.relayer.policy import BatchPlan, check_batch_jobs
from veritee.relayer.recovery import SubmissionRecovery
from veritee.relayer.store import RelayerStore
from veritee.relayer.worker_client import WorkerClient

__all__ = ["SettlementTally", "Settler"]

log = logging.getLogger(__name__)
_MAX_BATCHES_PER_WORKER = 10  # per round, so one busy worker cannot hold a round up


@dataclass
class SettlementTally:
    """What one settlement round did."""

    submitted: int = 0  # settlement transactions broadcast
    settled_jobs: int = 0  # jobs finished by this relayer's confirmed settlements
    reverted: int = 0  # settlements that reverted (at estimation or on-chain)
    recovered: int = 0  # earlier submissions resolved from the chain this round
    rejected: list[str] = field(default_factory=list)  # batches refused locally, and why


class Settler:
    """Turns delivered jobs into settled ones, batch by batch."""

    def __init__(
        self,
        network: Network,
        sender: RecordingSender,
        store: RelayerStore,
        directory: WorkerDirectory,
        client: WorkerClient,
        plan: BatchPlan,
        *,
        lease_seconds: int,
        clock: Callable[[], float],
        tx_timeout: float,
    ) -> None:
        self._network = network
        self._sender = sender
        self._store = store
        self._directory = directory
        self._client = client
        self._plan = plan
        self._lease = lease_seconds
        self._clock = clock
        self._recovery = SubmissionRecovery(network, sender, store, clock, tx_timeout)
        self._domain: Domain | None = None

    @property
    def domain(self) -> Domain:
        if self._domain is None:
            self._domain = self._network.jobs.domain()
        return self._domain

    async def settle_round(self, chain_time: int) -> SettlementTally:
        """Resolves earlier submissions, then asks due workers for batches and settles them."""
        tally = SettlementTally()
        tally.recovered = self._recovery.resolve_open()
        outstanding = self._store.outstanding(chain_time)
        asked = await asyncio.gather(
            *(
                self._collect(worker, count, oldest)
                for worker, (count, oldest) in outstanding.items()
            )
        )
        sent: list[tuple[int, HexBytes, SignedBatch]] = []
        for worker, batches in zip(outstanding, asked, strict=True):
            for batch in batches:
                submission = self._submit(worker, batch, tally)
                if submission is not None:
                    sent.append((*submission, batch))
        for submission_id, tx_hash, batch in sent:
            self._await(submission_id, tx_hash, batch, tally)
        return tally

    async def _collect(self, worker: str, outstanding: int, oldest: float) -> list[SignedBatch]:
        """The batches worth asking ``worker`` for now (a failure ends the list)."""
        waited = self._clock() - oldest
        try:
            endpoint = self._directory.endpoint(worker)
        except (JobError, ChainError) as exc:
            log.info("cannot ask worker %s for a batch: %s", worker, exc)
            return []
        ready = None
        if self._plan.wants_status(outstanding, waited):
            ready = await self._client.ready_count(endpoint)
        if not self._plan.due(outstanding, waited, ready):
            return []
        request = BatchRequest(self._sender.address, self._plan.batch_size, self._lease)
        batches: list[SignedBatch] = []
        while len(batches) < _MAX_BATCHES_PER_WORKER:
            try:
                batch = await self._client.request_batch(endpoint, request)
            except JobError as exc:
                self._directory.forget(worker)
                log.warning("%s", exc)
                break
            if batch is None:
                break
            batches.append(batch)
            outstanding -= len(batch.results)
            if not self._plan.ask_again(len(batch.results), outstanding, waited):
                break
        return batches

    def check(self, worker: str, batch: SignedBatch) -> None:
        """Raises :class:`SignatureError` or :class:`JobError` unless the batch may be paid for."""
        if to_checksum_address(batch.worker) != to_checksum_address(worker):
            raise JobError(f"worker {worker} answered with a batch signed for {batch.worker}")
        batch.check(self.domain)
        job_ids = list(batch.job_ids)
        assigned = self._store.assigned(job_ids)
        for job_id in job_ids:
            if job_id not in assigned:  # not followed yet (or not ours to know): ask the chain
                assigned[job_id] = self._network.jobs.job(JobId(job_id)).worker
        check_batch_jobs(worker, job_ids, assigned, self._store.in_flight())

    def _submit(
        self, worker: str, batch: SignedBatch, tally: SettlementTally
    ) -> tuple[int, HexBytes] | None:
        try:
            self.check(worker, batch)
        except (SignatureError, JobError) as exc:
            message = f"batch of jobs {list(batch.job_ids)} from worker {worker} refused: {exc}"
            log.error("%s", message)
            tally.rejected.append(message)
            return None
        jobs = self._network.jobs
        try:  # estimation runs the call: a batch that would revert costs nothing here
            tx = jobs.settle_tx(batch.worker, batch.results, batch.signature)
        except ContractRevert as exc:
            self._reverted(batch, exc, tally)
            return None
        submission_id = self._store.record_submission(batch, self._clock())
        if submission_id is None:
            tally.rejected.append(f"batch of jobs {list(batch.job_ids)} was already submitted")
            return None
        try:
            tx_hash = self._sender.send_for(submission_id, tx, function="Jobs.settle")
        except (ContractRevert, TransactionError) as exc:  # refused by the node: never sent
            finished = self._recovery.finished_on_chain(batch.job_ids)
            self._store.close_submission(submission_id, "dropped", finished, self._head(), str(exc))
            self._sender.release(submission_id)
            log.warning("settlement of jobs %s not sent: %s", list(batch.job_ids), exc)
            return None
        tally.submitted += 1
        return submission_id, tx_hash

    def _await(
        self, submission_id: int, tx_hash: HexBytes, batch: SignedBatch, tally: SettlementTally
    ) -> None:
        try:
            receipt = self._sender.wait(tx_hash, function="Jobs.settle")
        except ContractRevert as exc:
            finished = self._recovery.finished_on_chain(batch.job_ids)
            self._store.close_submission(submission_id, "reverted", finished, self._head(), exc.raw)
            self._sender.release(submission_id)
            self._reverted(batch, exc, tally, finished)
            return
        except (TransactionError, ChainError) as exc:  # not mined yet: recovery follows it up
            log.warning("settlement %s not confirmed yet: %s", tx_hash.to_0x_hex(), exc)
            return
        finished = self._recovery.outcomes(receipt)
        self._store.close_submission(submission_id, "confirmed", finished, receipt["blockNumber"])
        self._sender.release(submission_id)
        tally.settled_jobs += len(finished)
        log.info("settled jobs %s in %s", sorted(finished), tx_hash.to_0x_hex())

    def _reverted(
        self,
        batch: SignedBatch,
        exc: ContractRevert,
        tally: SettlementTally,
        finished: dict[int, int] | None = None,
    ) -> None:
        if finished is None:
            finished = self._recovery.finished_on_chain(batch.job_ids)
            self._store.mark_finished(finished, self._head())
        tally.reverted += 1
        log.info(
            "settlement of jobs %s reverted (%s); %d of them are already finished on-chain",
            list(batch.job_ids),
            exc.raw,
            len(finished),
        )

    def _head(self) -> int:
        return int(self._network.w3.eth.block_number)
