"""Following the Jobs contract's events from a cursor, ``confirmations`` blocks behind the head.

Each step reads a bounded block range, then records the new jobs (``JobSubmitted``), the jobs
that finished (``JobSettled``, ``JobFailed``, ``JobExpired``) and the new cursor in one store
transaction. Before reading on it checks that the block under the cursor is still the one it
read; if the chain reorganised below it, it rewinds to the newest block it recorded that is
still on the chain and reads again from there (re-reading is harmless: known jobs are kept).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import BlockNotFound

from veritee.chain.clients.base import ChainEvent
from veritee.chain.clients.jobs import JobsClient
from veritee.chain.types import JobStatus
from veritee.protocol import JobDelivery
from veritee.relayer.policy import block_ranges, fork_point
from veritee.relayer.records import NewJob
from veritee.relayer.store import RelayerStore

__all__ = ["ChainFollower", "FollowResult"]

log = logging.getLogger(__name__)

_FINISHED_EVENTS = {
    "JobSettled": JobStatus.SETTLED,
    "JobFailed": JobStatus.FAILED,
    "JobExpired": JobStatus.EXPIRED,
}


@dataclass(frozen=True)
class FollowResult:
    """Where one step left the cursor, how many jobs were new, and whether it rewound."""

    head: int
    cursor: int
    new_jobs: int
    finished: int
    rewound_to: int | None = None


class ChainFollower:
    """Reads ``Jobs`` events into the store; one :meth:`step` per relayer round."""

    def __init__(
        self,
        w3: Web3,
        jobs: JobsClient,
        store: RelayerStore,
        *,
        confirmations: int,
        start_block: int,
        max_block_range: int,
    ) -> None:
        self._w3 = w3
        self._jobs = jobs
        self._store = store
        self._confirmations = confirmations
        self._start = start_block
        self._max_range = max_block_range

    def _hash(self, number: int) -> str | None:
        try:
            block = self._w3.eth.get_block(number)
        except BlockNotFound:
            return None
        return HexBytes(block["hash"]).to_0x_hex()

    def _check_reorg(self) -> int | None:
        """Rewinds the store if the chain no longer holds the cursor's block; returns where to."""
        cursor = self._store.cursor()
        if cursor is None or self._hash(cursor.number) == cursor.hash:
            return None
        point = fork_point(self._store.checkpoints(), self._hash)
        target = self._start - 1 if point is None else point
        log.warning("chain reorganised below block %d; rewinding to %d", cursor.number, target)
        self._store.rewind(target)
        return target

    def step(self) -> FollowResult:
        """Reads every confirmed block past the cursor, in bounded ranges."""
        rewound = self._check_reorg()
        head = int(self._w3.eth.block_number)
        target = head - self._confirmations
        cursor = self._store.cursor()
        first = max(self._start, cursor.number + 1 if cursor else self._start)
        new_jobs = finished = 0
        for start, end in block_ranges(first, target, self._max_range):
            # The hash first: if a reorg lands between the two reads, the next step sees the
            # recorded hash differ and reads the range again.
            end_hash = self._hash(end)
            if end_hash is None:
                break
            submitted = self._events("JobSubmitted", start, end)
            jobs = [self._job(event.args, event.block_number) for event in submitted]
            done = {
                int(event.args["job_id"]): int(status)
                for name, status in _FINISHED_EVENTS.items()
                for event in self._events(name, start, end)
            }
            new_jobs += self._store.advance(end, end_hash, jobs, done)
            finished += len(done)
        cursor = self._store.cursor()
        return FollowResult(
            head=head,
            cursor=cursor.number if cursor else self._start - 1,
            new_jobs=new_jobs,
            finished=finished,
            rewound_to=rewound,
        )

    def _events(self, name: str, start: int, end: int) -> list[ChainEvent]:
        return self._jobs.events(name, from_block=start, to_block=end)

    @staticmethod
    def _job(args: dict[str, object], block: int) -> NewJob:
        delivery = JobDelivery.from_event(args)
        return NewJob(
            job_id=delivery.job_id,
            worker=to_checksum_address(str(args["worker"])),
            deadline=delivery.deadline,
            block=block,
            payload=json.dumps(delivery.to_json(), sort_keys=True),
        )
