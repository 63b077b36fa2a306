"""Reading a job's result: the settlement event, the blob it names, the envelope, the document.

The result blob is fetched by the URI the chain recorded and must hash to the chain's
``result_hash`` (a store can lose it, never substitute it); the envelope opens only with the job's
result key and under the job's own context; the document is version 1 and for this job. A failure
document becomes :class:`~veritee.exceptions.JobFailed`; an expired job is a JobError saying it was
refunded.
"""

from __future__ import annotations

import hashlib
from typing import Any

from veritee.blobs import fetch
from veritee.chain.clients import Network
from veritee.chain.types import JobId, JobStatus
from veritee.crypto.envelope import X25519KeyPair
from veritee.exceptions import BlobError, BlobIntegrityError, JobError, JobFailed
from veritee.models.tasks import decode_result
from veritee.protocol import open_result
from veritee.sdk.fees import format_amount
from veritee.sdk.verify.evidence import outcome_event

__all__ = ["read_result"]


def _failure(job_id: int, document: dict[str, Any]) -> JobFailed:
    error = document["error"]
    return JobFailed(job_id, int(error["code"]), str(error["reason"]))


def read_result(network: Network, job_id: int, keys: X25519KeyPair) -> dict[str, Any]:
    """The decrypted, decoded result document of job ``job_id``.

    Raises JobError (unknown, still pending, expired and refunded, or a document for another
    job), JobFailed (the worker reported a failure: its code and reason), BlobError (the result
    blob is unavailable or corrupt) or DecryptionError (``keys`` are not the job's result keys).
    """
    jobs = network.jobs
    job = jobs.job(JobId(job_id))
    if job.status is JobStatus.UNKNOWN:
        raise JobError(f"job {job_id} does not exist on this chain")
    if job.status is JobStatus.PENDING:
        raise JobError(f"job {job_id} is still pending: wait for it to settle first")
    if job.status is JobStatus.EXPIRED:
        raise JobError(
            f"job {job_id} expired without a result and was refunded: its max fee of "
            f"{format_amount(job.max_fee)} went back to the requester {job.requester}"
        )
    event = outcome_event(jobs, job_id, job.status, network.deployment.block)
    if event is None:
        raise JobError(f"job {job_id} is {job.status.name.lower()} but its event was not found")
    result_hash = bytes(event.args["result_hash"])
    code = int(event.args.get("reason", 0))
    try:
        envelope = fetch(str(event.args["result_uri"]), expected=result_hash)
    except BlobError as exc:
        if job.status is JobStatus.FAILED:
            raise JobFailed(
                job_id, code, f"the worker's failure report is unavailable: {exc}"
            ) from exc
        raise
    if hashlib.sha256(envelope).digest() != result_hash:  # the store checks too; cheap to redo
        raise BlobIntegrityError(f"job {job_id}'s result does not hash to its on-chain result_hash")
    plaintext = open_result(
        keys, envelope, chain_id=network.deployment.chain_id, jobs=jobs.address, job_id=job_id
    )
    document = decode_result(plaintext)
    if document["job_id"] != job_id:
        raise JobError(f"the result document is for job {document['job_id']}, not job {job_id}")
    if "error" in document:
        raise _failure(job_id, document)
    if job.status is JobStatus.FAILED:
        raise JobFailed(job_id, code, "the job settled as failed (the worker gave no reason)")
    return document
