"""Why a job failed: the codes a failed job settles with, and the error that carries one.

A failed job settles on-chain with its failure code as status (non-zero: the requester is
refunded in full) and a result document ``{"v": 1, "job_id": N, "error": {"code", "reason"}}``
sealed to the requester. The reason is read by the requester, so it never quotes confidential
data (a capsule's cells, a model's weights).
"""

from __future__ import annotations

from enum import IntEnum

from veritee.exceptions import JobError

__all__ = ["MAX_REASON_CHARS", "FailureCode", "TaskError"]

#: Longer reasons are cut to this many characters in a failure document.
MAX_REASON_CHARS = 1000


class FailureCode(IntEnum):
    """The status a failed job settles with (``0`` is success and never a failure code)."""

    #: The input envelope is unavailable or does not match the job's ``input_hash``.
    INPUT_UNAVAILABLE = 1
    #: The input (or a capsule's data) cannot be decrypted or decoded.
    INPUT_UNREADABLE = 2
    #: The model artifact is unavailable or does not match the registry.
    MODEL_UNAVAILABLE = 3
    #: A capsule is unavailable, does not match its hash, or its key was not released.
    CAPSULE_UNAVAILABLE = 4
    #: The model failed to run on the input.
    MODEL_FAILED = 5
    #: The task is unknown or malformed.
    TASK_INVALID = 6


class TaskError(JobError):
    """A job cannot complete; ``code`` is its :class:`FailureCode`, ``reason`` says why."""

    def __init__(self, code: FailureCode | int, reason: str) -> None:
        self.code = FailureCode(code)
        self.reason = reason
        super().__init__(f"{self.code.name.lower()} ({int(self.code)}): {reason}")
