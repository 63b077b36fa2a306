"""The two envelopes of a job: its input, sealed to the worker, and its result, to the requester.

The input is sealed before the job exists, so its context names the worker it is for (the Jobs
contract on this chain, object id = the enclave address as an integer); the result's context
names the job id. An envelope opened under any other context fails, so an input cannot be
replayed to another worker and a result cannot be passed off as another job's.
"""

from __future__ import annotations

from veritee.crypto.envelope import EnvelopeContext, X25519KeyPair, open_envelope, seal

__all__ = [
    "input_context",
    "open_input",
    "open_result",
    "result_context",
    "seal_input",
    "seal_result",
]

JOB_INPUT = "job-input"
JOB_RESULT = "job-result"


def input_context(chain_id: int, jobs: str, worker: str) -> EnvelopeContext:
    """The context of an input sealed to enclave ``worker`` for the Jobs contract ``jobs``."""
    return EnvelopeContext(JOB_INPUT, chain_id, jobs, int(worker, 16))


def result_context(chain_id: int, jobs: str, job_id: int) -> EnvelopeContext:
    """The context of job ``job_id``'s result."""
    return EnvelopeContext(JOB_RESULT, chain_id, jobs, job_id)


def seal_input(
    worker_x25519: bytes, plaintext: bytes, *, chain_id: int, jobs: str, worker: str
) -> bytes:
    """The requester's step: seal a job's input document to the worker's X25519 key."""
    return seal(worker_x25519, plaintext, input_context(chain_id, jobs, worker))


def open_input(
    keys: X25519KeyPair, envelope: bytes, *, chain_id: int, jobs: str, worker: str
) -> bytes:
    """The worker's step: open an input sealed to it (DecryptionError if it cannot)."""
    return open_envelope(keys, envelope, input_context(chain_id, jobs, worker))


def seal_result(
    result_key: bytes, plaintext: bytes, *, chain_id: int, jobs: str, job_id: int
) -> bytes:
    """The worker's step: seal a result document to the requester's ``result_key``."""
    return seal(result_key, plaintext, result_context(chain_id, jobs, job_id))


def open_result(
    keys: X25519KeyPair, envelope: bytes, *, chain_id: int, jobs: str, job_id: int
) -> bytes:
    """The requester's step: open job ``job_id``'s result (DecryptionError if it cannot)."""
    return open_envelope(keys, envelope, result_context(chain_id, jobs, job_id))
