"""Whether a worker takes a delivered job: a pure comparison with what the chain records.

A relayer is untrusted, so a worker believes nothing it delivers: it re-reads the job from the
Jobs contract and refuses (HTTP 409, with the reason) a delivery whose fields differ from the
chain's (naming the first field that differs), a job that is not assigned to it, not pending,
past its deadline, or for a model it does not serve.
"""

from __future__ import annotations

from collections.abc import Collection

from eth_utils import to_canonical_address

from veritee.chain.clients import JobInfo
from veritee.chain.types import JobStatus
from veritee.exceptions import JobRejected
from veritee.protocol import JobDelivery

__all__ = ["DELIVERY_FIELDS", "check_delivery", "differing_field"]

#: The delivered fields, in the order they are compared.
DELIVERY_FIELDS = (
    "requester",
    "model_id",
    "capsule_ids",
    "input_hash",
    "input_uri",
    "result_key",
    "deadline",
)


def _same_address(a: str, b: str) -> bool:
    return bytes(to_canonical_address(a)) == bytes(to_canonical_address(b))


def differing_field(delivery: JobDelivery, reference: JobDelivery | JobInfo) -> str | None:
    """The first delivered field whose value differs from ``reference``'s, or None."""
    for name in DELIVERY_FIELDS:
        ours, theirs = getattr(delivery, name), getattr(reference, name)
        if name == "requester":
            if not _same_address(ours, theirs):
                return name
        elif name == "capsule_ids":
            if tuple(int(c) for c in ours) != tuple(int(c) for c in theirs):
                return name
        elif ours != theirs:
            return name
    return None


def check_delivery(
    delivery: JobDelivery,
    job: JobInfo,
    *,
    enclave: str,
    models: Collection[int],
    chain_now: int,
) -> None:
    """Raise :class:`JobRejected` with the reason unless this worker should run ``delivery``.

    ``job`` is the chain's record of ``delivery.job_id``, ``enclave`` this worker's enclave
    address, ``models`` the model ids it serves and ``chain_now`` the latest block's timestamp.
    """
    job_id = delivery.job_id
    if job.status is JobStatus.UNKNOWN:
        raise JobRejected(job_id, "job does not exist on-chain (or is not yet confirmed)")
    field = differing_field(delivery, job)
    if field is not None:
        raise JobRejected(job_id, f"delivered {field} differs from the chain's")
    if not _same_address(job.worker, enclave):
        raise JobRejected(job_id, "job is not assigned to this worker")
    if job.status is not JobStatus.PENDING:
        raise JobRejected(job_id, f"job is not pending (it is {job.status.name.lower()})")
    if chain_now >= job.deadline:
        raise JobRejected(job_id, "job is past its deadline")
    if job.model_id not in models:
        raise JobRejected(job_id, f"model {job.model_id} is not served by this worker")
