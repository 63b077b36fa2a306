"""What the SDK hands back: a submitted job, progress while waiting, a job as the chain holds it.

Every record has ``to_json()`` for the CLI's ``--json`` output. A :class:`SubmittedJob` holds the
job's result key pair; its JSON shows only the public half, so printing it leaks nothing. Keep the
private half (:meth:`SubmittedJob.result_private_key`) to read the result later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veritee.chain.clients import JobInfo
from veritee.chain.types import JobStatus
from veritee.crypto.envelope import X25519KeyPair
from veritee.sdk.fees import FeeQuote

__all__ = ["JobProgress", "SubmittedJob", "job_info_to_json", "status_name"]


def status_name(status: JobStatus) -> str:
    """A job status as the SDK and the CLI spell it (``"pending"``, ``"settled"``, …)."""
    return status.name.lower()


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


@dataclass(frozen=True)
class SubmittedJob:
    """A job the SDK submitted: its id, worker, result keys, input and fee."""

    job_id: int
    worker: str
    keys: X25519KeyPair
    input_hash: bytes
    input_uri: str
    fee: FeeQuote
    max_fee: int
    deadline: int

    @property
    def result_key(self) -> bytes:
        """The public X25519 key recorded on-chain, to which the worker seals the result."""
        return self.keys.public_bytes()

    def result_private_key(self) -> bytes:
        """The 32-byte private key that opens the result. Store it like a password."""
        return self.keys.private_bytes()

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "worker": self.worker,
            "result_key": _hex(self.result_key),
            "input_hash": _hex(self.input_hash),
            "input_uri": self.input_uri,
            "max_fee": self.max_fee,
            "deadline": self.deadline,
            "fee": self.fee.to_json(),
        }


@dataclass(frozen=True)
class JobProgress:
    """One observation while waiting: the job's on-chain state and the seconds waited so far."""

    job_id: int
    status: JobStatus
    elapsed: float
    final: bool

    @property
    def state(self) -> str:
        return status_name(self.status)

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "state": self.state,
            "elapsed": round(self.elapsed, 3),
            "final": self.final,
        }


def job_info_to_json(info: JobInfo) -> dict[str, Any]:
    """A :class:`~veritee.chain.clients.JobInfo` as JSON-ready values (bytes as ``0x`` hex)."""
    return {
        "job_id": info.job_id,
        "status": status_name(info.status),
        "requester": info.requester,
        "worker": info.worker,
        "model_id": info.model_id,
        "capsule_ids": list(info.capsule_ids),
        "input_hash": _hex(info.input_hash),
        "input_uri": info.input_uri,
        "result_key": _hex(info.result_key),
        "max_fee": info.max_fee,
        "price": info.price,
        "deadline": info.deadline,
        "submitted_at": info.submitted_at,
        "model_owner": info.model_owner,
        "model_fee": info.model_fee,
        "capsule_fees": list(info.capsule_fees),
        "worker_fee": info.worker_fee,
        "protocol_fee": info.protocol_fee,
        "callback": info.callback,
        "callback_gas_limit": info.callback_gas_limit,
    }
