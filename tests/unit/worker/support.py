"""Shared data for the worker unit tests: deliveries and on-chain job records without a chain."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from eth_utils import to_checksum_address

from veritee.chain.clients import JobInfo
from veritee.chain.types import CapsuleId, JobId, JobStatus, ModelId, TokenAmount
from veritee.crypto.typed_data import JobResult
from veritee.protocol import JobDelivery

ENCLAVE = "0x" + "ab" * 20
REQUESTER = to_checksum_address("0x" + "cd" * 20)
DEADLINE = 10_000


def delivery(job_id: int = 7, **changes: Any) -> JobDelivery:
    base = JobDelivery(
        job_id=job_id,
        requester=REQUESTER,
        model_id=3,
        capsule_ids=(1, 2),
        input_hash=bytes(range(32)),
        input_uri="file:///blobs/" + bytes(range(32)).hex(),
        result_key=bytes(range(32, 64)),
        deadline=DEADLINE,
    )
    return replace(base, **changes)


def job_info(
    source: JobDelivery | None = None, *, worker: str = ENCLAVE, **changes: Any
) -> JobInfo:
    d = source or delivery()
    info = JobInfo(
        job_id=JobId(d.job_id),
        requester=d.requester.lower(),
        worker=worker,
        model_id=ModelId(d.model_id),
        capsule_ids=tuple(CapsuleId(c) for c in d.capsule_ids),
        input_hash=d.input_hash,
        input_uri=d.input_uri,
        result_key=d.result_key,
        max_fee=TokenAmount(100),
        deadline=d.deadline,
        callback="0x" + "00" * 20,
        callback_gas_limit=0,
        status=JobStatus.PENDING,
        submitted_at=1,
        model_owner="0x" + "ee" * 20,
        model_fee=TokenAmount(1),
        capsule_fees=(TokenAmount(1), TokenAmount(1)),
        worker_fee=TokenAmount(1),
        protocol_fee=TokenAmount(0),
    )
    return replace(info, **changes)


def result(job_id: int = 7, status: int = 0) -> JobResult:
    return JobResult(job_id, bytes([job_id % 256]) * 32, f"file:///r/{job_id}", status)
