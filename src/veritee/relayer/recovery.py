"""Finding out what became of settlements recorded earlier (after a restart, or a slow chain).

Every submission is recorded before its transaction leaves, with the hash of each version sent.
For one still open, the chain decides: a receipt settles it (confirmed or reverted); a nonce
that another transaction of this account has used means it can never be mined (dropped); a
hash the node has never heard of, long after it was recorded, means it never left (dropped).
A dropped batch is never sent again: its jobs that are still pending are asked for afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from hexbytes import HexBytes
from web3.exceptions import TransactionNotFound
from web3.types import TxReceipt

from veritee.chain.clients import Network
from veritee.chain.types import JobId, JobStatus
from veritee.relayer.broadcast import RecordingSender
from veritee.relayer.records import Submission
from veritee.relayer.store import RelayerStore

__all__ = ["SubmissionRecovery"]

log = logging.getLogger(__name__)


class SubmissionRecovery:
    """Resolves this relayer's open submissions from receipts, nonces and the jobs' status."""

    def __init__(
        self,
        network: Network,
        sender: RecordingSender,
        store: RelayerStore,
        clock: Callable[[], float],
        tx_timeout: float,
    ) -> None:
        self._network = network
        self._sender = sender
        self._store = store
        self._clock = clock
        self._tx_timeout = tx_timeout

    def finished_on_chain(self, job_ids: Sequence[int]) -> dict[int, int]:
        """Job id -> status, for those of ``job_ids`` that are no longer pending on-chain."""
        jobs = self._network.jobs
        statuses = {job: jobs.status(JobId(job)) for job in job_ids}
        return {
            job: int(status)
            for job, status in statuses.items()
            if status not in (JobStatus.PENDING, JobStatus.UNKNOWN)
        }

    def resolve_open(self) -> int:
        """Closes every open submission the chain has decided; returns how many it closed."""
        closed = 0
        for submission in self._store.submissions("recorded", "sent"):
            if self._resolve(submission):
                self._sender.release(submission.id)
                closed += 1
        return closed

    def _resolve(self, submission: Submission) -> bool:
        w3 = self._network.w3
        # The nonce first: if it is already used and none of our hashes has a receipt after
        # that, ours can never be mined.
        mined = w3.eth.get_transaction_count(self._sender.address, "latest")
        known = False
        for tx_hash in submission.tx_hashes:
            try:
                receipt = w3.eth.get_transaction_receipt(HexBytes(tx_hash))
            except TransactionNotFound:
                known = known or self._node_knows(tx_hash)
                continue
            if receipt["status"] == 1:
                outcomes = self.outcomes(receipt)
                self._store.close_submission(
                    submission.id, "confirmed", outcomes, receipt["blockNumber"]
                )
                log.info("settlement %s of jobs %s was confirmed", tx_hash, sorted(outcomes))
            else:
                self._close(submission, "reverted", f"transaction {tx_hash} reverted")
            return True
        if not submission.tx_hashes:
            self._close(submission, "dropped", "recorded but never broadcast")
            return True
        if submission.nonce is not None and mined > submission.nonce:
            self._close(submission, "dropped", f"nonce {submission.nonce} used by another tx")
            return True
        if not known and self._clock() - submission.created_at > self._tx_timeout:
            self._close(submission, "dropped", "transaction unknown to the node")
            return True
        return False

    def _node_knows(self, tx_hash: str) -> bool:
        try:
            self._network.w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return True

    def outcomes(self, receipt: TxReceipt) -> dict[int, int]:
        """Job id -> final status, from a settlement receipt's events."""
        jobs = self._network.jobs
        found: dict[int, int] = {}
        for name, status in (("JobSettled", JobStatus.SETTLED), ("JobFailed", JobStatus.FAILED)):
            for event in jobs.events_in(receipt, name):
                found[int(event.args["job_id"])] = int(status)
        return found

    def _close(self, submission: Submission, state: str, why: str) -> None:
        finished = self.finished_on_chain(submission.batch.job_ids)
        head = int(self._network.w3.eth.block_number)
        self._store.close_submission(submission.id, state, finished, head, why)
        log.warning(
            "settlement %d of jobs %s %s: %s",
            submission.id,
            list(submission.batch.job_ids),
            state,
            why,
        )
