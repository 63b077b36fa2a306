"""Which worker gets a job: pure ranking of the candidates, no I/O.

A :class:`WorkerCandidate` is a certified, active worker serving the model, as the chain
describes it, plus its load as its ``/v1/status`` reported it (or why it could not be asked).
:func:`choose_worker` takes the cheapest (the worker's price is the only part of a job's price
that depends on the worker), then the least loaded, then the lowest enclave address, so that the
same candidates always give the same choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from veritee.chain.types import TeeKind
from veritee.exceptions import JobError

__all__ = ["WorkerCandidate", "WorkerLoad", "choose_worker", "parse_worker_status"]

_COUNTED = ("queued", "running")


@dataclass(frozen=True)
class WorkerLoad:
    """How busy a worker says it is: jobs queued and running against its capacity."""

    capacity: int
    queued: int
    running: int

    @property
    def ratio(self) -> Fraction:
        """``(queued + running) / capacity``; a worker reporting no capacity counts as full."""
        if self.capacity <= 0:
            return Fraction(self.queued + self.running + 1)
        return Fraction(self.queued + self.running, self.capacity)

    def to_json(self) -> dict[str, Any]:
        return {
            "capacity": self.capacity,
            "queued": self.queued,
            "running": self.running,
            "load": float(self.ratio),
        }


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise JobError(f"worker status: {name} must be a non-negative integer")
    return value


def parse_worker_status(document: Mapping[str, Any]) -> WorkerLoad:
    """The load in a worker's ``GET /v1/status`` answer (docs/jobs.md); JobError if malformed.

    ``capacity`` is a number, or an object whose ``max_concurrent`` is (as ``veritee.worker``
    reports it); the per-state counts sit under ``jobs`` (``veritee.worker``), ``counts``, or at
    the top level.
    """
    if not isinstance(document, Mapping):
        raise JobError("worker status: not a JSON object")
    capacity = document.get("capacity")
    if isinstance(capacity, Mapping):
        capacity = capacity.get("max_concurrent")
    counts = document.get("jobs", document.get("counts", document))
    if not isinstance(counts, Mapping):
        raise JobError("worker status: the per-state counts must be an object")
    queued, running = (_count(counts.get(name, 0), name) for name in _COUNTED)
    return WorkerLoad(capacity=_count(capacity, "capacity"), queued=queued, running=running)


@dataclass(frozen=True)
class WorkerCandidate:
    """A worker that could take a job for a model.

    ``load`` is ``None`` when load lookup was not asked for or failed; ``excluded`` then says why
    the worker was left out of the choice (for example, its ``/v1/status`` was unreachable).
    """

    enclave: str
    operator: str
    endpoint: str
    price: int
    tee_kind: TeeKind
    measurement: bytes
    x25519_key: bytes
    expiry: int
    load: WorkerLoad | None = None
    excluded: str | None = None

    @property
    def eligible(self) -> bool:
        """Whether :func:`choose_worker` may pick this worker."""
        return self.excluded is None

    def to_json(self) -> dict[str, Any]:
        return {
            "enclave": self.enclave,
            "operator": self.operator,
            "endpoint": self.endpoint,
            "price": self.price,
            "tee_kind": self.tee_kind.name.lower(),
            "measurement": "0x" + self.measurement.hex(),
            "x25519_key": "0x" + self.x25519_key.hex(),
            "expiry": self.expiry,
            "load": None if self.load is None else self.load.to_json(),
            "excluded": self.excluded,
        }


def _rank(candidate: WorkerCandidate) -> tuple[int, int, Fraction, int]:
    # Known load before unknown load; the enclave address, as a number, breaks every tie.
    load = candidate.load
    return (
        candidate.price,
        0 if load is not None else 1,
        load.ratio if load is not None else Fraction(0),
        int(candidate.enclave, 16),
    )


def choose_worker(
    candidates: Sequence[WorkerCandidate], *, model_id: int | None = None
) -> WorkerCandidate:
    """The best eligible candidate: cheapest, then least loaded, then lowest enclave address.

    Raises :class:`JobError` when no candidate is eligible, naming why each one was excluded.
    """
    eligible = [c for c in candidates if c.eligible]
    if eligible:
        return min(eligible, key=_rank)
    what = f"model {model_id}" if model_id is not None else "the model"
    if not candidates:
        raise JobError(
            f"no certified, active worker serves {what}: register one or pick another model"
        )
    reasons = "; ".join(f"{c.enclave}: {c.excluded}" for c in candidates)
    raise JobError(f"no worker serving {what} can take the job ({reasons})")
