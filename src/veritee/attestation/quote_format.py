"""Byte layout of Intel DCAP quotes (SGX v3, TDX v4 and v5) and of veritee's simulated quote.

Pure parsing and encoding, no cryptography: :func:`parse_quote` reads the header, the report body
(its measurement registers and report data) and locates the signature data. Verifying signatures
is :mod:`veritee.attestation.verify`'s job (dcap-qvl) or, for simulated quotes,
:mod:`veritee.attestation.simulated`'s.

Layout (all integers little-endian)::

    header (48)   version u16 | attestation key type u16 | TEE type u32 | qe svn u16 | pce svn u16
                  | QE vendor id (16) | user data (20)
    v3 / v4       report body (SGX 384, TDX 584) | signature data length u32 | signature data
    v5            body type u16 | body size u32 | body | signature data length u32 | signature data

Trailing bytes after the signature data are tolerated: real quotes are sometimes read from
fixed-size buffers (the upstream ``tdx_quote`` sample carries 70 zero bytes of padding).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass

from veritee.chain.types import TeeKind
from veritee.exceptions import QuoteError

__all__ = [
    "HEADER_LENGTH",
    "SGX_TEE_TYPE",
    "SIMULATED_ATTESTATION_KEY_TYPE",
    "SIMULATED_QE_VENDOR_ID",
    "SIMULATED_TEE_TYPE",
    "TDX_TEE_TYPE",
    "TD_REPORT_FIELDS",
    "ParsedQuote",
    "encode_header",
    "encode_td_report",
    "parse_quote",
]

HEADER_LENGTH = 48
SGX_TEE_TYPE = 0x00000000
TDX_TEE_TYPE = 0x00000081
#: TEE type of a simulated quote: never a value Intel uses, so dcap-qvl refuses it outright.
SIMULATED_TEE_TYPE = 0x5E000081
#: Attestation key type of a simulated quote (Intel uses 2 and 3 for ECDSA P-256 and P-384).
SIMULATED_ATTESTATION_KEY_TYPE = 0x5E02
SIMULATED_QE_VENDOR_ID = b"VERITEE SIMULATE"

#: (name, size) of each TD report 1.0 field, in order; the last is the report data.
TD_REPORT_FIELDS: tuple[tuple[str, int], ...] = (
    ("tee_tcb_svn", 16),
    ("mr_seam", 48),
    ("mr_signer_seam", 48),
    ("seam_attributes", 8),
    ("td_attributes", 8),
    ("xfam", 8),
    ("mrtd", 48),
    ("mr_config_id", 48),
    ("mr_owner", 48),
    ("mr_owner_config", 48),
    ("rtmr0", 48),
    ("rtmr1", 48),
    ("rtmr2", 48),
    ("rtmr3", 48),
    ("report_data", 64),
)
_TD15_EXTRA_FIELDS: tuple[tuple[str, int], ...] = (("tee_tcb_svn2", 16), ("mr_servicetd", 48))
#: (name, offset, size) of the SGX enclave report fields veritee reports.
_SGX_REPORT_FIELDS: tuple[tuple[str, int, int], ...] = (
    ("cpu_svn", 0, 16),
    ("misc_select", 16, 4),
    ("attributes", 48, 16),
    ("mrenclave", 64, 32),
    ("mrsigner", 128, 32),
    ("isv_prod_id", 256, 2),
    ("isv_svn", 258, 2),
    ("report_data", 320, 64),
)
_TD10_LENGTH = sum(size for _, size in TD_REPORT_FIELDS)  # 584
_TD15_LENGTH = _TD10_LENGTH + sum(size for _, size in _TD15_EXTRA_FIELDS)  # 648
_SGX_REPORT_LENGTH = 384
#: v5 body type -> (is an SGX report, body length): 1 SGX report, 2 TD report 1.0, 3 TD report 1.5.
_V5_BODY_TYPES = {1: (True, _SGX_REPORT_LENGTH), 2: (False, _TD10_LENGTH), 3: (False, _TD15_LENGTH)}


@dataclass(frozen=True)
class ParsedQuote:
    """A quote's fields, read but not verified."""

    version: int
    attestation_key_type: int
    tee_type: int
    qe_vendor_id: bytes
    user_data: bytes
    kind: TeeKind
    registers: Mapping[str, bytes]
    report_data: bytes
    signed_length: int
    signature_data: bytes


def parse_quote(raw: bytes) -> ParsedQuote:
    """Reads a quote's header, body and signature data; raises :class:`QuoteError` if malformed."""
    if len(raw) < HEADER_LENGTH:
        raise QuoteError(f"malformed quote: {len(raw)} bytes is shorter than a quote header")
    version, key_type, tee_type = struct.unpack_from("<HHI", raw, 0)
    if tee_type == SIMULATED_TEE_TYPE:
        kind = TeeKind.SIMULATED
    elif tee_type == TDX_TEE_TYPE:
        kind = TeeKind.TDX
    elif tee_type == SGX_TEE_TYPE:
        kind = TeeKind.SGX
    else:
        raise QuoteError(f"malformed quote: unknown TEE type 0x{tee_type:08x}")
    offset = HEADER_LENGTH
    if version == 5:
        body_type, body_size = _unpack(raw, "<HI", offset)
        offset += 6
        expected = _V5_BODY_TYPES.get(body_type)
        if expected is None or expected != (kind == TeeKind.SGX, body_size):
            raise QuoteError(f"malformed quote: unsupported v5 body type {body_type}/{body_size}")
        body_length = body_size
    elif version == 3 and kind == TeeKind.SGX:
        body_length = _SGX_REPORT_LENGTH
    elif version == 4 and kind != TeeKind.SGX:
        body_length = _TD10_LENGTH
    else:
        raise QuoteError(f"malformed quote: unsupported version {version} for {kind.name} quote")
    body = raw[offset : offset + body_length]
    if len(body) != body_length:
        raise QuoteError("malformed quote: truncated report body")
    signed_length = offset + body_length
    (signature_length,) = _unpack(raw, "<I", signed_length)
    signature_data = raw[signed_length + 4 : signed_length + 4 + signature_length]
    if len(signature_data) != signature_length:
        raise QuoteError("malformed quote: truncated signature data")
    registers = _sgx_registers(body) if kind == TeeKind.SGX else _td_registers(body)
    report_data = registers.pop("report_data")
    return ParsedQuote(
        version=version,
        attestation_key_type=key_type,
        tee_type=tee_type,
        qe_vendor_id=raw[12:28],
        user_data=raw[28:48],
        kind=kind,
        registers=registers,
        report_data=report_data,
        signed_length=signed_length,
        signature_data=signature_data,
    )


def encode_header(
    *, version: int, attestation_key_type: int, tee_type: int, qe_vendor_id: bytes, user_data: bytes
) -> bytes:
    """A 48-byte quote header."""
    if len(qe_vendor_id) != 16 or len(user_data) != 20:
        raise ValueError("QE vendor id must be 16 bytes and user data 20 bytes")
    return struct.pack("<HHIHH", version, attestation_key_type, tee_type, 0, 0) + (
        qe_vendor_id + user_data
    )


def encode_td_report(registers: Mapping[str, bytes], report_data: bytes) -> bytes:
    """A TD report 1.0 body (584 bytes); registers not given are zero."""
    values = dict(registers, report_data=report_data)
    parts = []
    for name, size in TD_REPORT_FIELDS:
        value = values.get(name, bytes(size))
        if len(value) != size:
            raise ValueError(f"{name} must be {size} bytes, got {len(value)}")
        parts.append(value)
    return b"".join(parts)


def _td_registers(body: bytes) -> dict[str, bytes]:
    registers = {}
    offset = 0
    fields = TD_REPORT_FIELDS + (_TD15_EXTRA_FIELDS if len(body) == _TD15_LENGTH else ())
    for name, size in fields:
        registers[name] = body[offset : offset + size]
        offset += size
    return registers


def _sgx_registers(body: bytes) -> dict[str, bytes]:
    return {name: body[offset : offset + size] for name, offset, size in _SGX_REPORT_FIELDS}


def _unpack(raw: bytes, fmt: str, offset: int) -> tuple[int, ...]:
    try:
        return struct.unpack_from(fmt, raw, offset)
    except struct.error:
        raise QuoteError("malformed quote: truncated") from None
