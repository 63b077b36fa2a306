"""The result book: every job a worker took, its state, its result, and who holds it leased.

Pure bookkeeping, no I/O: the node asks the book what to run, records what finished, and picks
the results a relayer may batch. A finished result is offered to one relayer at a time (a lease
with an end); a lease that runs out without settlement makes the result available again, and a
result the chain says is settled (or can no longer settle: expired, past its deadline) is marked
settled and kept a while for ``GET /v1/jobs/{id}`` before it is pruned.

Times: ``now`` is this machine's clock (leases, retention), ``chain_now`` the latest block's
timestamp (deadlines, which the Jobs contract compares with ``block.timestamp``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from veritee.crypto.typed_data import JobResult
from veritee.exceptions import JobError
from veritee.protocol import JobDelivery, JobState, JobStateView

__all__ = ["JobRecord", "Lease", "ResultBook"]

#: How long a settled record is kept for ``GET /v1/jobs/{id}`` (seconds), by default.
SETTLED_RETENTION = 3_600.0


@dataclass
class Lease:
    """A result handed to ``relayer`` in a signed batch, until ``until`` (local clock)."""

    relayer: str
    until: float


@dataclass
class JobRecord:
    """One job in the worker: the delivery it was accepted from, and where it stands."""

    delivery: JobDelivery
    state: JobState = JobState.QUEUED
    result: JobResult | None = None
    reason: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    lease: Lease | None = None
    settled_at: float | None = None

    @property
    def job_id(self) -> int:
        return self.delivery.job_id

    @property
    def finished(self) -> bool:
        """It has a result to settle (done or failed), not yet settled."""
        return self.result is not None and self.state in (JobState.DONE, JobState.FAILED)

    def view(self) -> JobStateView:
        return JobStateView(self.job_id, self.state, self.reason)

    def to_json(self) -> dict[str, Any]:
        """The record as sealed state (leases are not kept: they end with the process)."""
        body: dict[str, Any] = {
            "delivery": self.delivery.to_json(),
            "state": self.state.value,
            "reason": self.reason,
            "timings_ms": dict(self.timings_ms),
            "settled_at": self.settled_at,
        }
        if self.result is not None:
            body["result"] = {
                "result_hash": self.result.result_hash.hex(),
                "result_uri": self.result.result_uri,
                "status": self.result.status,
            }
        return body

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> JobRecord:
        delivery = JobDelivery.from_json(obj["delivery"])
        raw = obj.get("result")
        result = None
        if raw is not None:
            result = JobResult(
                delivery.job_id,
                bytes.fromhex(raw["result_hash"]),
                str(raw["result_uri"]),
                int(raw["status"]),
            )
        state = JobState(obj["state"])
        # A job that was running when the process stopped runs again from the start.
        if state is JobState.RUNNING:
            state = JobState.QUEUED
        return cls(
            delivery=delivery,
            state=state,
            result=result,
            reason=obj.get("reason"),
            timings_ms={str(k): float(v) for k, v in dict(obj.get("timings_ms", {})).items()},
            settled_at=obj.get("settled_at"),
        )


class ResultBook:
    """Every job this worker holds, by id. Not thread-safe: one event loop owns it."""

    def __init__(self, settled_retention: float = SETTLED_RETENTION) -> None:
        self.settled_retention = settled_retention
        self._records: dict[int, JobRecord] = {}

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._records

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[JobRecord]:
        return iter(list(self._records.values()))

    def get(self, job_id: int) -> JobRecord | None:
        return self._records.get(job_id)

    def _require(self, job_id: int) -> JobRecord:
        record = self._records.get(job_id)
        if record is None:
            raise JobError(f"job {job_id} is not in this worker's book")
        return record

    def accept(self, delivery: JobDelivery) -> tuple[JobRecord, bool]:
        """Queue ``delivery``; returns its record and whether it is new (False: a redelivery)."""
        existing = self._records.get(delivery.job_id)
        if existing is not None:
            return existing, False
        record = JobRecord(delivery)
        self._records[delivery.job_id] = record
        return record, True

    def restore(self, records: Iterable[JobRecord]) -> None:
        """Load records from sealed state (replacing any with the same id)."""
        for record in records:
            self._records[record.job_id] = record

    def start(self, job_id: int) -> JobRecord:
        """Mark a queued job running."""
        record = self._require(job_id)
        if record.state is not JobState.QUEUED:
            raise JobError(f"job {job_id} is {record.state.value}, not queued")
        record.state = JobState.RUNNING
        return record

    def requeue(self, job_id: int) -> None:
        """Hand a job that did not finish back to the queue (shutdown, a transient failure)."""
        record = self._require(job_id)
        if record.state is JobState.RUNNING:
            record.state = JobState.QUEUED

    def finish(
        self,
        job_id: int,
        result: JobResult,
        *,
        reason: str | None = None,
        timings_ms: Mapping[str, float] | None = None,
    ) -> JobRecord:
        """Record a job's result: done when ``result.status`` is 0, failed (with ``reason``)."""
        record = self._require(job_id)
        if result.job_id != job_id:
            raise JobError(f"result for job {result.job_id} recorded under job {job_id}")
        record.result = result
        record.state = JobState.DONE if result.status == 0 else JobState.FAILED
        record.reason = reason if result.status != 0 else None
        record.timings_ms = dict(timings_ms or {})
        record.lease = None
        return record

    def settle(self, job_id: int, now: float, reason: str | None = None) -> None:
        """The chain no longer needs this job from us (settled, failed, expired, too late)."""
        record = self._records.get(job_id)
        if record is None or record.state is JobState.SETTLED:
            return
        record.state = JobState.SETTLED
        record.lease = None
        record.settled_at = now
        if reason is not None and record.reason is None:
            record.reason = reason

    def queued(self) -> list[int]:
        """Ids of queued jobs, oldest id first."""
        return sorted(r.job_id for r in self._records.values() if r.state is JobState.QUEUED)

    def available(self, now: float, chain_now: int, limit: int) -> list[JobRecord]:
        """Up to ``limit`` finished results not leased (or whose lease ran out) that can still
        settle (``chain_now`` before their deadline), earliest deadline first."""
        ready = [
            r
            for r in self._records.values()
            if r.finished
            and (r.lease is None or r.lease.until <= now)
            and chain_now < r.delivery.deadline
        ]
        ready.sort(key=lambda r: (r.delivery.deadline, r.job_id))
        return ready[:limit]

    def too_late(self, chain_now: int) -> list[int]:
        """Unsettled jobs whose deadline has passed: the chain will not take their results."""
        return [
            r.job_id
            for r in self._records.values()
            if r.state is not JobState.SETTLED and chain_now >= r.delivery.deadline
        ]

    def lease(self, job_ids: Iterable[int], relayer: str, until: float) -> list[JobResult]:
        """Lease finished results to ``relayer`` until ``until``; returns them in order."""
        results = []
        for job_id in job_ids:
            record = self._require(job_id)
            if not record.finished or record.result is None:
                raise JobError(f"job {job_id} has no result to lease")
            record.lease = Lease(relayer, until)
            results.append(record.result)
        return results

    def prune(self, now: float) -> int:
        """Forget settled records older than the retention; returns how many were dropped."""
        old = [
            r.job_id
            for r in self._records.values()
            if r.state is JobState.SETTLED
            and r.settled_at is not None
            and now - r.settled_at > self.settled_retention
        ]
        for job_id in old:
            del self._records[job_id]
        return len(old)

    def counts(self, now: float) -> dict[str, int]:
        """Jobs per state as ``GET /v1/status`` shows them.

        ``queued``, ``running``, ``settled``: by state; ``ready``: finished results (done or
        failed) not leased; ``leased``: finished results leased to a relayer now; ``failed``:
        finished with a failure code, settled or not.
        """
        counts = dict.fromkeys(("queued", "running", "ready", "leased", "settled", "failed"), 0)
        for record in self._records.values():
            if record.state is JobState.QUEUED:
                counts["queued"] += 1
            elif record.state is JobState.RUNNING:
                counts["running"] += 1
            elif record.state is JobState.SETTLED:
                counts["settled"] += 1
            elif record.lease is not None and record.lease.until > now:
                counts["leased"] += 1
            else:
                counts["ready"] += 1
            if record.result is not None and record.result.status != 0:
                counts["failed"] += 1
        return counts
