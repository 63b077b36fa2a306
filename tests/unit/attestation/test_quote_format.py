"""Parsing and encoding the quote layout, without cryptography."""

from __future__ import annotations

import struct

import pytest

from tests.unit.attestation.vectors import SGX, TDX
from veritee.attestation.quote_format import (
    SIMULATED_TEE_TYPE,
    TD_REPORT_FIELDS,
    TDX_TEE_TYPE,
    encode_header,
    encode_td_report,
    parse_quote,
)
from veritee.chain.types import TeeKind
from veritee.exceptions import QuoteError

INTEL_VENDOR = bytes.fromhex("939a7233f79c4ca9940a0db3957f0607")


def tdx_quote(report_data: bytes, signature: bytes = b"sig", **registers: bytes) -> bytes:
    header = encode_header(
        version=4,
        attestation_key_type=2,
        tee_type=TDX_TEE_TYPE,
        qe_vendor_id=INTEL_VENDOR,
        user_data=bytes(20),
    )
    body = encode_td_report(registers, report_data)
    return header + body + struct.pack("<I", len(signature)) + signature


def test_encoded_td_report_round_trips() -> None:
    mrtd, rtmr3 = b"\x11" * 48, b"\x33" * 48
    raw = tdx_quote(b"\x42" * 64, mrtd=mrtd, rtmr3=rtmr3)
    parsed = parse_quote(raw)
    assert parsed.kind == TeeKind.TDX
    assert (parsed.version, parsed.attestation_key_type, parsed.qe_vendor_id) == (
        4,
        2,
        INTEL_VENDOR,
    )
    assert parsed.registers["mrtd"] == mrtd
    assert parsed.registers["rtmr3"] == rtmr3
    assert parsed.registers["rtmr0"] == bytes(48)
    assert parsed.report_data == b"\x42" * 64
    assert parsed.signed_length == 48 + 584
    assert parsed.signature_data == b"sig"
    assert len(encode_td_report({}, bytes(64))) == sum(size for _, size in TD_REPORT_FIELDS)


def test_sgx_sample_registers() -> None:
    parsed = parse_quote(SGX.raw)
    assert parsed.kind == TeeKind.SGX
    assert set(parsed.registers) == {
        "cpu_svn",
        "misc_select",
        "attributes",
        "mrenclave",
        "mrsigner",
        "isv_prod_id",
        "isv_svn",
    }
    assert len(parsed.registers["mrsigner"]) == 32
    assert parsed.report_data.startswith(b"Hello, world!")


def test_trailing_padding_after_the_signature_data_is_tolerated() -> None:
    parsed = parse_quote(TDX.raw)
    assert parsed.signed_length + 4 + len(parsed.signature_data) < len(TDX.raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x04\x00", "shorter than a quote header"),
        (struct.pack("<HHI", 4, 2, 0x42) + bytes(40), "unknown TEE type 0x00000042"),
        (struct.pack("<HHI", 3, 2, TDX_TEE_TYPE) + bytes(700), "unsupported version 3"),
        (struct.pack("<HHI", 7, 2, 0) + bytes(500), "unsupported version 7"),
        (struct.pack("<HHI", 5, 2, TDX_TEE_TYPE) + bytes(40) + struct.pack("<HI", 9, 584), "v5"),
        (struct.pack("<HHI", 4, 2, TDX_TEE_TYPE) + bytes(100), "truncated report body"),
    ],
)
def test_malformed_quotes_are_quote_errors(raw: bytes, message: str) -> None:
    with pytest.raises(QuoteError, match=message):
        parse_quote(raw)


def test_truncated_signature_data_is_rejected() -> None:
    raw = tdx_quote(bytes(64), signature=b"0123456789")
    with pytest.raises(QuoteError, match="truncated signature data"):
        parse_quote(raw[:-1])
    with pytest.raises(QuoteError, match="truncated"):
        parse_quote(raw[: 48 + 584 + 2])


def test_simulated_tee_type_is_recognised() -> None:
    header = encode_header(
        version=4,
        attestation_key_type=2,
        tee_type=SIMULATED_TEE_TYPE,
        qe_vendor_id=bytes(16),
        user_data=bytes(20),
    )
    raw = header + encode_td_report({}, bytes(64)) + struct.pack("<I", 0)
    assert parse_quote(raw).kind == TeeKind.SIMULATED


def test_encoders_refuse_wrong_sizes() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        encode_header(
            version=4, attestation_key_type=2, tee_type=0, qe_vendor_id=b"x", user_data=bytes(20)
        )
    with pytest.raises(ValueError, match="mrtd must be 48 bytes"):
        encode_td_report({"mrtd": b"short"}, bytes(64))
