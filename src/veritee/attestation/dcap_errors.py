"""dcap-qvl's failure messages, translated into veritee's attestation errors.

dcap-qvl raises ``ValueError("Verification failed: <reason>")`` for everything. The reason decides
the class: collateral outside its validity window or not matching the quote is a
:class:`CollateralError`, a platform whose TCB no policy could accept a :class:`PolicyViolation`,
and anything else (a malformed or tampered quote, a broken signature chain) a :class:`QuoteError`.
The reasons below were found by experiment with dcap-qvl 0.7.0 on the upstream samples
(``tests/vectors/dcap/README.md``); an unknown reason falls back to :class:`QuoteError`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from veritee.exceptions import AttestationError, CollateralError, PolicyViolation, QuoteError

__all__ = ["translate_dcap_error"]

_WINDOW = "is outside its validity window at the verification time"
_MISMATCH = "collateral does not match the quote"

#: (substring of dcap-qvl's reason, error class, what it means); first match wins.
_RULES: tuple[tuple[str, type[AttestationError], str], ...] = (
    ("TCBInfo expired", CollateralError, "collateral expired: the TCB info is past its nextUpdate"),
    ("TCBInfo issue date is in the future", CollateralError, f"TCB info {_WINDOW} (issued later)"),
    (
        "QE Identity expired",
        CollateralError,
        "collateral expired: the QE identity is past its nextUpdate",
    ),
    (
        "QE Identity issue date is in the future",
        CollateralError,
        f"QE identity {_WINDOW} (issued later)",
    ),
    (
        "CrlExpired",
        CollateralError,
        "collateral expired: a certificate revocation list (CRL) is past its nextUpdate",
    ),
    (
        "certificate revocation list expired",
        CollateralError,
        "collateral expired: a certificate revocation list (CRL) is past its nextUpdate",
    ),
    ("Collateral expired", CollateralError, "collateral expired"),
    (
        "CertExpired",
        CollateralError,
        f"a certificate in the quote's or collateral's chain {_WINDOW} (expired)",
    ),
    (
        "certificate expired",
        CollateralError,
        f"a certificate in the quote's or collateral's chain {_WINDOW} (expired)",
    ),
    (
        "CertNotValidYet",
        CollateralError,
        f"a certificate in the quote's or collateral's chain {_WINDOW} (not yet valid)",
    ),
    (
        "certificate not valid yet",
        CollateralError,
        f"a certificate in the quote's or collateral's chain {_WINDOW} (not yet valid)",
    ),
    (
        "Fmspc mismatch",
        CollateralError,
        f"{_MISMATCH}: its TCB info is for another platform (FMSPC)",
    ),
    (
        "Unsupported QE Identity id/version for the quote TEE type",
        CollateralError,
        f"{_MISMATCH}: its QE identity is for another TEE type "
        "(SGX collateral for a TDX quote, or the reverse)",
    ),
    ("with non-SGX TCB info", CollateralError, f"{_MISMATCH}: TDX TCB info for an SGX quote"),
    ("with non-TDX TCB info", CollateralError, f"{_MISMATCH}: SGX TCB info for a TDX quote"),
    (
        "QE MRSIGNER mismatch",
        CollateralError,
        f"{_MISMATCH}: the quoting enclave is not the one its QE identity names",
    ),
    (
        "QE ISVPRODID mismatch",
        CollateralError,
        f"{_MISMATCH}: the quoting enclave is not the one its QE identity names",
    ),
    (
        "QE MISCSELECT mismatch",
        CollateralError,
        f"{_MISMATCH}: the quoting enclave is not the one its QE identity names",
    ),
    (
        "QE ATTRIBUTES mismatch",
        CollateralError,
        f"{_MISMATCH}: the quoting enclave is not the one its QE identity names",
    ),
    (
        "Signature is invalid for tcb_info",
        CollateralError,
        "collateral is invalid: the TCB info signature does not verify",
    ),
    (
        "Signature is invalid for qe_identity",
        CollateralError,
        "collateral is invalid: the QE identity signature does not verify",
    ),
    ("PCK certificates from collateral", CollateralError, "collateral is invalid"),
    ("Failed to decode TcbInfo", CollateralError, "collateral is invalid: malformed TCB info"),
    (
        "Failed to decode QeIdentity",
        CollateralError,
        "collateral is invalid: malformed QE identity",
    ),
    (
        "Failed to parse root CA CRL",
        CollateralError,
        "collateral is invalid: malformed root CA CRL",
    ),
    ("Failed to parse PCK CRL", CollateralError, "collateral is invalid: malformed PCK CRL"),
    (
        "No matching TCB level found",
        PolicyViolation,
        "no matching TCB level: the platform's TCB is below every level in Intel's TCB info "
        "for it (out of date, unsupported); update the platform's microcode and firmware",
    ),
    (
        "TCB status is invalid: Revoked",
        PolicyViolation,
        "TCB status Revoked: the platform's TCB is revoked",
    ),
    ("CertRevoked", PolicyViolation, "the platform's PCK certificate is revoked"),
)
_TIMES = re.compile(r"(time|next_update|not_after|not_before): UnixTime\((\d+)\)")


def _reason(message: str) -> str:
    """dcap-qvl's reason on one line, without the ``Verification failed:`` prefix."""
    text = message.removeprefix("Verification failed: ")
    text = _TIMES.sub(
        lambda m: (
            f"{m.group(1)}: {datetime.fromtimestamp(int(m.group(2)), UTC):%Y-%m-%dT%H:%M:%SZ}"
        ),
        text,
    )
    return " ".join(text.replace("Caused by:", ":").split())


def translate_dcap_error(message: str) -> AttestationError:
    """The veritee error for a dcap-qvl failure message (to be raised ``from`` the original)."""
    reason = _reason(message)
    for needle, error_class, meaning in _RULES:
        if needle in message:
            return error_class(f"{meaning} (dcap-qvl: {reason})")
    return QuoteError(f"quote verification failed: {reason}")
