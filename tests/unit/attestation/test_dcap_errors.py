"""dcap-qvl's messages map to distinct veritee errors (strings found by experiment, 0.7.0)."""

from __future__ import annotations

import pytest

from veritee.attestation.dcap_errors import translate_dcap_error
from veritee.exceptions import AttestationError, CollateralError, PolicyViolation, QuoteError

CASES = [
    ("Verification failed: TCBInfo expired", CollateralError, "TCB info is past its nextUpdate"),
    (
        "Verification failed: TCBInfo issue date is in the future",
        CollateralError,
        "outside its validity window",
    ),
    ("Verification failed: QE Identity expired", CollateralError, "QE identity is past"),
    (
        "Verification failed: CrlExpired { time: UnixTime(1795618909), "
        "next_update: UnixTime(1775215317) }",
        CollateralError,
        "revocation list",
    ),
    (
        "Verification failed: Failed to verify certificate chain\n\nCaused by:\n    "
        "CertNotValidYet { time: UnixTime(1750414563), not_before: UnixTime(1769191781) }",
        CollateralError,
        "not yet valid",
    ),
    ("Verification failed: Fmspc mismatch", CollateralError, "does not match the quote"),
    (
        "Verification failed: Unsupported QE Identity id/version for the quote TEE type: "
        "QE version 2 (expected TD_QE version [2, 3])",
        CollateralError,
        "another TEE type",
    ),
    (
        "Verification failed: Signature is invalid for tcb_info in quote_collateral",
        CollateralError,
        "collateral is invalid",
    ),
    ("Verification failed: No matching TCB level found", PolicyViolation, "no matching TCB"),
    ("Verification failed: TCB status is invalid: Revoked", PolicyViolation, "Revoked"),
    (
        "Verification failed: ISV enclave report signature is invalid",
        QuoteError,
        "ISV enclave report signature is invalid",
    ),
    ("Verification failed: Unknown QE vendor ID", QuoteError, "Unknown QE vendor ID"),
    ("Verification failed: QE report hash mismatch", QuoteError, "QE report hash mismatch"),
    ("something new", QuoteError, "quote verification failed: something new"),
]


@pytest.mark.parametrize(("message", "error_class", "text"), CASES)
def test_translation(message: str, error_class: type[AttestationError], text: str) -> None:
    error = translate_dcap_error(message)
    assert type(error) is error_class
    assert text in str(error)


def test_unix_times_are_shown_as_dates_on_one_line() -> None:
    error = translate_dcap_error(CASES[3][0])
    assert "next_update: 2026-04-03T11:21:57Z" in str(error)
    assert "\n" not in str(error)
