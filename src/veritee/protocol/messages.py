"""The worker's HTTP messages (docs/jobs.md): deliveries, batch requests and signed batches.

Parsers raise :class:`~veritee.exceptions.JobError` naming the field at fault; everything a
relayer sends is untrusted, and a worker re-checks a delivery against the chain before acting.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from eth_utils import is_address, to_checksum_address

from veritee.crypto.typed_data import Domain, JobResult, batch_digest, recover_digest
from veritee.exceptions import JobError, SignatureError

__all__ = [
    "MAX_BATCH",
    "BatchRequest",
    "JobDelivery",
    "JobState",
    "JobStateView",
    "SignedBatch",
    "decode_json",
]

#: The Jobs contract's largest settlement batch.
MAX_BATCH = 100
_MAX_CAPSULES = 8
_MAX_URI = 256
_UINT256 = (1 << 256) - 1
_MAX_BODY = 1 << 20


def decode_json(body: bytes | str, what: str) -> dict[str, Any]:
    """``body`` as one JSON object, or JobError naming ``what`` it should have been."""
    if len(body) > _MAX_BODY:
        raise JobError(f"{what}: body of {len(body)} bytes is over the {_MAX_BODY}-byte limit")
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JobError(f"{what}: not JSON ({exc})") from None
    if not isinstance(value, dict):
        raise JobError(f"{what}: not a JSON object")
    return value


def _get(obj: Mapping[str, Any], name: str, what: str) -> Any:
    if name not in obj:
        raise JobError(f"{what}: missing field {name}")
    return obj[name]


def _int(obj: Mapping[str, Any], name: str, what: str, maximum: int = _UINT256) -> int:
    value = _get(obj, name, what)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise JobError(f"{what}: field {name} must be an integer in [0, {maximum}]")
    return value


def _hex(obj: Mapping[str, Any], name: str, what: str, size: int) -> bytes:
    value = _get(obj, name, what)
    try:
        raw = bytes.fromhex(str(value).removeprefix("0x"))
    except ValueError:
        raise JobError(f"{what}: field {name} is not hex") from None
    if len(raw) != size:
        raise JobError(f"{what}: field {name} must be {size} bytes")
    return raw


def _address(obj: Mapping[str, Any], name: str, what: str) -> str:
    value = _get(obj, name, what)
    if not isinstance(value, str) or not value.startswith("0x") or not is_address(value):
        raise JobError(f"{what}: field {name} is not an address")
    return to_checksum_address(value)


def _text(obj: Mapping[str, Any], name: str, what: str, limit: int) -> str:
    value = _get(obj, name, what)
    if not isinstance(value, str) or len(value.encode("utf-8")) > limit:
        raise JobError(f"{what}: field {name} must be a string of at most {limit} bytes")
    return value


@dataclass(frozen=True)
class JobDelivery:
    """A job as a relayer delivers it: the ``JobSubmitted`` fields a worker compares on-chain."""

    job_id: int
    requester: str
    model_id: int
    capsule_ids: tuple[int, ...]
    input_hash: bytes
    input_uri: str
    result_key: bytes
    deadline: int

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "requester": self.requester,
            "model_id": self.model_id,
            "capsule_ids": list(self.capsule_ids),
            "input_hash": "0x" + self.input_hash.hex(),
            "input_uri": self.input_uri,
            "result_key": "0x" + self.result_key.hex(),
            "deadline": self.deadline,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> JobDelivery:
        what = "job delivery"
        capsules = _get(obj, "capsule_ids", what)
        if not isinstance(capsules, list) or len(capsules) > _MAX_CAPSULES:
            raise JobError(f"{what}: capsule_ids must be a list of at most {_MAX_CAPSULES}")
        ids = tuple(_int({"id": c}, "id", what) for c in capsules)
        return cls(
            job_id=_int(obj, "job_id", what),
            requester=_address(obj, "requester", what),
            model_id=_int(obj, "model_id", what),
            capsule_ids=ids,
            input_hash=_hex(obj, "input_hash", what, 32),
            input_uri=_text(obj, "input_uri", what, _MAX_URI),
            result_key=_hex(obj, "result_key", what, 32),
            deadline=_int(obj, "deadline", what, (1 << 64) - 1),
        )

    @classmethod
    def from_event(cls, args: Mapping[str, Any]) -> JobDelivery:
        """From a decoded ``JobSubmitted`` event's arguments."""
        return cls(
            job_id=int(args["job_id"]),
            requester=to_checksum_address(args["requester"]),
            model_id=int(args["model_id"]),
            capsule_ids=tuple(int(c) for c in args["capsule_ids"]),
            input_hash=bytes(args["input_hash"]),
            input_uri=str(args["input_uri"]),
            result_key=bytes(args["result_key"]),
            deadline=int(args["deadline"]),
        )


@dataclass(frozen=True)
class BatchRequest:
    """A relayer asks a worker for a signed batch of up to ``max_results`` finished results."""

    relayer: str
    max_results: int = MAX_BATCH
    lease_seconds: int = 60

    def to_json(self) -> dict[str, Any]:
        return {
            "relayer": self.relayer,
            "max_results": self.max_results,
            "lease_seconds": self.lease_seconds,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> BatchRequest:
        what = "batch request"
        size = _int(obj, "max_results", what, MAX_BATCH)
        if size == 0:
            raise JobError(f"{what}: max_results must be at least 1")
        lease = _int(obj, "lease_seconds", what, 3_600)
        return cls(_address(obj, "relayer", what), size, max(lease, 1))


@dataclass(frozen=True)
class SignedBatch:
    """Results signed by a worker's enclave key, ready for ``Jobs.settle``."""

    worker: str
    results: tuple[JobResult, ...]
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "results": [
                {
                    "job_id": r.job_id,
                    "result_hash": "0x" + r.result_hash.hex(),
                    "result_uri": r.result_uri,
                    "status": r.status,
                }
                for r in self.results
            ],
            "signature": "0x" + self.signature.hex(),
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> SignedBatch:
        what = "signed batch"
        raw = _get(obj, "results", what)
        if not isinstance(raw, list) or not 0 < len(raw) <= MAX_BATCH:
            raise JobError(f"{what}: results must be a list of 1 to {MAX_BATCH}")
        results = []
        for item in raw:
            if not isinstance(item, dict):
                raise JobError(f"{what}: each result must be an object")
            results.append(
                JobResult(
                    _int(item, "job_id", what),
                    _hex(item, "result_hash", what, 32),
                    _text(item, "result_uri", what, _MAX_URI),
                    _int(item, "status", what, 255),
                )
            )
        return cls(_address(obj, "worker", what), tuple(results), _hex(obj, "signature", what, 65))

    def check(self, domain: Domain) -> None:
        """Raises SignatureError unless the worker's key signed exactly these results."""
        if recover_digest(batch_digest(domain, self.worker, self.results), self.signature) != (
            self.worker
        ):
            raise SignatureError(f"batch is not signed by worker {self.worker}")

    @property
    def job_ids(self) -> Sequence[int]:
        return [r.job_id for r in self.results]


class JobState(StrEnum):
    """Where a job is inside a worker."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SETTLED = "settled"


@dataclass(frozen=True)
class JobStateView:
    """``GET /v1/jobs/{id}``: a job's state in a worker, and why it failed if it did."""

    job_id: int
    state: JobState
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"job_id": self.job_id, "state": self.state.value}
        if self.reason is not None:
            body["reason"] = self.reason
        return body

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> JobStateView:
        what = "job state"
        state = _get(obj, "state", what)
        try:
            parsed = JobState(state)
        except ValueError:
            raise JobError(f"{what}: unknown state {state!r}") from None
        reason = obj.get("reason")
        return cls(_int(obj, "job_id", what), parsed, str(reason) if reason is not None else None)
