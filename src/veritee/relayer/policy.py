"""The relayer's decisions, on plain data and without I/O.

When to retry a delivery and after how long, what a worker's HTTP answer means, when to ask a
worker for a batch, how to cut a block range, where a reorganised chain forked from what the
relayer had seen, and whether a signed batch names only jobs it may carry. Everything here is
deterministic given its arguments (randomness comes in as an ``rng``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from eth_utils import to_checksum_address

from veritee.exceptions import JobError

__all__ = [
    "BatchPlan",
    "DeliveryOutcome",
    "RetryPolicy",
    "block_ranges",
    "check_batch_jobs",
    "classify_delivery",
    "fork_point",
]

# 408 Request Timeout, 425 Too Early, 429 Too Many Requests: the worker asks us to come back.
_RETRYABLE_4XX = frozenset({408, 425, 429})


class DeliveryOutcome(StrEnum):
    """What one delivery attempt's answer means for the job."""

    DELIVERED = "delivered"  # the worker holds the job (2xx)
    REFUSED = "refused"  # the worker will never take it: stop (409 and other 4xx)
    RETRY = "retry"  # try again later (network error, 5xx, 408/425/429)


def classify_delivery(status_code: int | None) -> DeliveryOutcome:
    """The outcome of ``POST /v1/jobs`` answered with ``status_code`` (None: no answer)."""
    if status_code is None or status_code >= 500 or status_code in _RETRYABLE_4XX:
        return DeliveryOutcome.RETRY
    if 200 <= status_code < 300:
        return DeliveryOutcome.DELIVERED
    # 409 is the documented refusal; any other 4xx means this request will never succeed
    # either (malformed for this worker, or it does not speak this API).
    return DeliveryOutcome.REFUSED


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter, for at most ``max_attempts`` attempts.

    Attempt ``n`` (1-based) that failed waits ``min(max_backoff, base_backoff * 2**(n-1))``
    scaled down by up to ``jitter`` (0 = none, 1 = "full jitter"), so that relayers and jobs
    that failed together do not come back together.
    """

    max_attempts: int = 8
    base_backoff: float = 1.0
    max_backoff: float = 300.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 < self.base_backoff <= self.max_backoff:
            raise ValueError("backoff must satisfy 0 < base_backoff <= max_backoff")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")

    def delay(self, attempts: int, rng: random.Random) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        exponent = min(max(attempts - 1, 0), 62)  # past 2**62 the cap has long been reached
        cap = min(self.max_backoff, self.base_backoff * 2.0**exponent)
        return cap * (1.0 - self.jitter * rng.random())

    def next_attempt_at(self, attempts: int, now: float, rng: random.Random) -> float | None:
        """When to try again after ``attempts`` failures, or None to give up."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts, rng)


@dataclass(frozen=True)
class BatchPlan:
    """When a relayer asks a worker for a signed batch.

    A worker is worth asking when it has at least ``batch_size`` results ready (a full batch,
    the cheapest settlement per job) or when the oldest job delivered to it and not yet settled
    has waited ``batch_wait`` seconds (so a trickle of jobs still settles promptly).
    """

    batch_size: int
    batch_wait: float

    def wants_status(self, outstanding: int, oldest_wait: float) -> bool:
        """Whether reading the worker's ready count could change the answer of :meth:`due`."""
        return outstanding >= self.batch_size and oldest_wait < self.batch_wait

    def due(self, outstanding: int, oldest_wait: float, ready: int | None) -> bool:
        """Whether to ask now, given the jobs outstanding there and (if known) its ready count."""
        if outstanding <= 0:
            return False
        if oldest_wait >= self.batch_wait:
            return True
        return ready is not None and ready >= self.batch_size

    def ask_again(self, last_size: int, outstanding: int, oldest_wait: float) -> bool:
        """After a batch of ``last_size``: is another one worth asking for in the same round?"""
        if last_size < self.batch_size:
            return False  # the worker gave all it had
        return outstanding >= self.batch_size or (
            outstanding > 0 and oldest_wait >= self.batch_wait
        )


def block_ranges(first: int, last: int, max_range: int) -> list[tuple[int, int]]:
    """``[first, last]`` cut into consecutive inclusive ranges of at most ``max_range`` blocks."""
    if max_range < 1:
        raise ValueError("max_range must be at least 1")
    return [
        (start, min(start + max_range - 1, last)) for start in range(first, last + 1, max_range)
    ]


def fork_point(
    seen: Iterable[tuple[int, str]], chain_hash: Callable[[int], str | None]
) -> int | None:
    """The newest block the relayer processed that is still on the chain, or None if none is.

    ``seen`` holds ``(number, hash)`` checkpoints the relayer recorded, in any order;
    ``chain_hash(number)`` is the chain's hash at ``number`` now (None past the head).
    """
    for number, recorded in sorted(seen, reverse=True):
        current = chain_hash(number)
        if current is not None and current.lower() == recorded.lower():
            return number
    return None


def check_batch_jobs(
    worker: str,
    job_ids: Sequence[int],
    assigned: Mapping[int, str],
    in_flight: Mapping[int, int] | None = None,
) -> None:
    """Raises :class:`JobError` unless every job of the batch may be settled by ``worker``.

    ``assigned`` maps job ids to the worker the chain assigned each to; ``in_flight`` maps job
    ids already in one of this relayer's unfinished submissions to that submission's id.
    """
    worker = to_checksum_address(worker)
    duplicates = sorted({job for job in job_ids if job_ids.count(job) > 1})
    if duplicates:
        raise JobError(f"batch from worker {worker} names job(s) {duplicates} twice")
    foreign = [
        job for job in job_ids if to_checksum_address(assigned.get(job, "0x" + "00" * 20)) != worker
    ]
    if foreign:
        raise JobError(
            f"batch from worker {worker} includes job(s) {foreign} the chain did not assign to it"
        )
    busy = {job: sub for job, sub in (in_flight or {}).items() if job in job_ids}
    if busy:
        listed = ", ".join(f"job {job} in submission {sub}" for job, sub in sorted(busy.items()))
        raise JobError(f"batch from worker {worker} repeats jobs already being settled: {listed}")
