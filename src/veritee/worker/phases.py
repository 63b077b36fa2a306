"""The phases of a job and how a failure in each becomes a failure code. Pure, no I/O.

Every job ends in a result the chain settles: a failure anywhere becomes a result with its
:class:`~veritee.models.tasks.FailureCode` (the requester is refunded and told why), never a
dropped job. The reason is shown to the requester and by ``GET /v1/jobs/{id}``, so it names what
failed and never quotes inputs, capsule data or model outputs: for errors this code did not
anticipate only the exception's type is kept.
"""

from __future__ import annotations

from enum import StrEnum

from veritee.exceptions import (
    BlobError,
    BlobIntegrityError,
    DecryptionError,
    GatekeeperError,
    ModelError,
    ModelIntegrityError,
    QuorumError,
    VeriteeError,
)
from veritee.models.tasks import FailureCode, TaskError

__all__ = ["Phase", "failure_for"]


class Phase(StrEnum):
    """A job's phases, in order; the values are the keys of its ``timings_ms``."""

    INPUT = "input"
    MODEL = "model"
    CAPSULES = "capsules"
    KEY_RELEASE = "key_release"
    INFERENCE = "inference"
    ENCRYPT_STORE = "encrypt_store"


def _detail(exc: BaseException) -> str:
    """What an error says, if it is one of ours (their messages hold no data); else its type."""
    if isinstance(exc, VeriteeError):
        text = str(exc).strip()
        return text.splitlines()[0] if text else type(exc).__name__
    return type(exc).__name__


def failure_for(phase: Phase, exc: BaseException) -> tuple[FailureCode, str]:
    """The failure code and reason for ``exc`` raised during ``phase``."""
    if isinstance(exc, TaskError):
        return exc.code, exc.reason
    if phase is Phase.INPUT:
        if isinstance(exc, DecryptionError):
            return (
                FailureCode.INPUT_UNREADABLE,
                "input envelope cannot be decrypted with this worker's key",
            )
        if isinstance(exc, BlobIntegrityError):
            return FailureCode.INPUT_UNAVAILABLE, f"input does not match input_hash: {_detail(exc)}"
        if isinstance(exc, BlobError):
            return FailureCode.INPUT_UNAVAILABLE, f"input unavailable: {_detail(exc)}"
        return FailureCode.INPUT_UNREADABLE, f"input cannot be read: {_detail(exc)}"
    if phase is Phase.MODEL:
        if isinstance(exc, (ModelIntegrityError, BlobIntegrityError)):
            return (
                FailureCode.MODEL_UNAVAILABLE,
                f"model artifact does not match the registry: {_detail(exc)}",
            )
        if isinstance(exc, BlobError):
            return FailureCode.MODEL_UNAVAILABLE, f"model artifact unavailable: {_detail(exc)}"
        if isinstance(exc, ModelError):
            return FailureCode.MODEL_UNAVAILABLE, f"model cannot be loaded: {_detail(exc)}"
        return FailureCode.MODEL_UNAVAILABLE, f"model unavailable: {_detail(exc)}"
    if phase in (Phase.CAPSULES, Phase.KEY_RELEASE):
        if isinstance(exc, DecryptionError):
            return FailureCode.INPUT_UNREADABLE, "capsule data cannot be decrypted"
        if isinstance(exc, QuorumError):
            return FailureCode.CAPSULE_UNAVAILABLE, f"capsule key not released: {_detail(exc)}"
        if isinstance(exc, GatekeeperError):
            return FailureCode.CAPSULE_UNAVAILABLE, f"capsule key not released: {exc.reason}"
        return FailureCode.CAPSULE_UNAVAILABLE, f"capsule unavailable: {_detail(exc)}"
    return FailureCode.MODEL_FAILED, f"model failed to run: {_detail(exc)}"
