"""The rows of the relayer's store, as values: cursor, jobs, delivery attempts, submissions."""

from __future__ import annotations

from dataclasses import dataclass

from veritee.protocol import SignedBatch

__all__ = ["Attempt", "Cursor", "DeliveryRow", "NewJob", "Submission"]


@dataclass(frozen=True)
class Cursor:
    """The last block whose events are processed, and its hash then."""

    number: int
    hash: str


@dataclass(frozen=True)
class NewJob:
    """A ``JobSubmitted`` event to deliver: its job, worker, deadline and delivery JSON."""

    job_id: int
    worker: str
    deadline: int
    block: int
    payload: str


@dataclass(frozen=True)
class DeliveryRow:
    job_id: int
    worker: str
    payload: str
    deadline: int
    state: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    delivered_at: float | None


@dataclass(frozen=True)
class Attempt:
    """The result of one delivery attempt: the job's new state and when to try next."""

    job_id: int
    state: str
    error: str | None = None
    next_attempt_at: float = 0.0


@dataclass(frozen=True)
class Submission:
    """A signed batch this relayer recorded for ``Jobs.settle``, and what became of it."""

    id: int
    worker: str
    batch: SignedBatch
    state: str
    nonce: int | None
    tx_hashes: tuple[str, ...]
    created_at: float
    error: str | None
