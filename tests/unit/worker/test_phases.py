"""failure_for: every error in every phase becomes a failure code and a reason without data."""

from __future__ import annotations

import pytest

from veritee.exceptions import (
    AccessDenied,
    BlobIntegrityError,
    BlobNotFound,
    CapsuleFormatError,
    DecryptionError,
    ModelIntegrityError,
    ModelRuntimeError,
    QuorumError,
    UnsupportedModel,
)
from veritee.models.tasks import FailureCode, TaskError
from veritee.worker.phases import Phase, failure_for


@pytest.mark.parametrize(
    ("phase", "error", "code", "reason"),
    [
        (Phase.INPUT, BlobNotFound("gone"), FailureCode.INPUT_UNAVAILABLE, "input unavailable"),
        (
            Phase.INPUT,
            BlobIntegrityError("x"),
            FailureCode.INPUT_UNAVAILABLE,
            "does not match input_hash",
        ),
        (Phase.INPUT, DecryptionError("opaque"), FailureCode.INPUT_UNREADABLE, "decrypted"),
        (Phase.INPUT, ValueError("secret 42"), FailureCode.INPUT_UNREADABLE, "ValueError"),
        (
            Phase.MODEL,
            ModelIntegrityError("hash"),
            FailureCode.MODEL_UNAVAILABLE,
            "does not match the registry",
        ),
        (
            Phase.MODEL,
            BlobIntegrityError("uri"),
            FailureCode.MODEL_UNAVAILABLE,
            "does not match the registry",
        ),
        (Phase.MODEL, BlobNotFound("gone"), FailureCode.MODEL_UNAVAILABLE, "unavailable"),
        (Phase.MODEL, UnsupportedModel("gguf"), FailureCode.MODEL_UNAVAILABLE, "cannot be loaded"),
        (Phase.CAPSULES, BlobNotFound("gone"), FailureCode.CAPSULE_UNAVAILABLE, "capsule"),
        (
            Phase.CAPSULES,
            CapsuleFormatError("R differs"),
            FailureCode.CAPSULE_UNAVAILABLE,
            "R differs",
        ),
        (
            Phase.KEY_RELEASE,
            QuorumError("only 1 valid key shares"),
            FailureCode.CAPSULE_UNAVAILABLE,
            "key not released",
        ),
        (
            Phase.KEY_RELEASE,
            AccessDenied("capsule is revoked"),
            FailureCode.CAPSULE_UNAVAILABLE,
            "capsule is revoked",
        ),
        (Phase.KEY_RELEASE, DecryptionError("x"), FailureCode.INPUT_UNREADABLE, "capsule data"),
        (
            Phase.INFERENCE,
            ModelRuntimeError("model input 'x' has rank 1"),
            FailureCode.MODEL_FAILED,
            "rank 1",
        ),
        (Phase.INFERENCE, RuntimeError("row 17: 3.2"), FailureCode.MODEL_FAILED, "RuntimeError"),
    ],
)
def test_mapping(phase: Phase, error: Exception, code: FailureCode, reason: str) -> None:
    got_code, got_reason = failure_for(phase, error)
    assert got_code is code
    assert reason in got_reason


@pytest.mark.parametrize("phase", list(Phase))
def test_task_errors_keep_their_code(phase: Phase) -> None:
    assert failure_for(phase, TaskError(FailureCode.TASK_INVALID, "unknown task 'x'")) == (
        FailureCode.TASK_INVALID,
        "unknown task 'x'",
    )


def test_foreign_error_messages_are_never_quoted() -> None:
    _, reason = failure_for(Phase.INFERENCE, ValueError("patient 12 has age 97"))
    assert "97" not in reason and reason.endswith("ValueError")
