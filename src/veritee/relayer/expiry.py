"""Expiring overdue jobs: the requester is refunded and the caller earns the slasher reward.

Only jobs this relayer knows of (from ``JobSubmitted``) are considered, a bounded number per
round. A job someone else expired or settled first is simply marked finished.
"""

from __future__ import annotations

import logging

from veritee.chain.clients import Network
from veritee.chain.types import JobId, JobStatus
from veritee.exceptions import ContractRevert, TransactionError
from veritee.relayer.store import RelayerStore

__all__ = ["OverdueExpirer"]

log = logging.getLogger(__name__)


class OverdueExpirer:
    """Calls ``Jobs.expire`` on overdue pending jobs, at most ``limit`` per round."""

    def __init__(self, network: Network, store: RelayerStore, limit: int = 20) -> None:
        self._network = network
        self._store = store
        self._limit = limit

    def expire_overdue(self, chain_time: int) -> int:
        """Expires the jobs whose deadline is before ``chain_time``; returns how many."""
        jobs = self._network.jobs
        expired = 0
        for job_id in self._store.overdue(chain_time, self._limit):
            status = jobs.status(JobId(job_id))
            if status is JobStatus.PENDING:
                try:
                    receipt = jobs.expire(JobId(job_id))
                except (ContractRevert, TransactionError) as exc:
                    log.info("could not expire job %d: %s", job_id, exc)
                    status = jobs.status(JobId(job_id))
                else:
                    self._store.mark_finished(
                        {job_id: int(JobStatus.EXPIRED)}, receipt["blockNumber"]
                    )
                    expired += 1
                    log.info("expired overdue job %d", job_id)
                    continue
            if status not in (JobStatus.PENDING, JobStatus.UNKNOWN):
                head = int(self._network.w3.eth.block_number)
                self._store.mark_finished({job_id: int(status)}, head)
        return expired
