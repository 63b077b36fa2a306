"""The report-data binding of DESIGN §3."""

from __future__ import annotations

import hashlib
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veritee.attestation import ReportDataBinding, check_report_data
from veritee.exceptions import ReportDataMismatch

REGISTRY = "0x" + "11" * 20
ENCLAVE = "0x" + "22" * 20
OPERATOR = "0x" + "33" * 20
X25519 = bytes(range(32))
NONCE = b"\x07" * 32


def binding(**changes: object) -> ReportDataBinding:
    fields: dict[str, object] = {
        "domain": "veritee.worker.v1",
        "chain_id": 31337,
        "registry": REGISTRY,
        "enclave": ENCLAVE,
        "x25519_public": X25519,
        "operator": OPERATOR,
    }
    fields.update(changes)
    return ReportDataBinding(**fields)  # type: ignore[arg-type]


def test_report_data_is_the_hash_of_the_length_prefixed_encoding_then_the_nonce() -> None:
    def lp(value: bytes) -> bytes:
        return struct.pack(">I", len(value)) + value

    expected = hashlib.sha256(
        b"\x01"
        + lp(b"veritee.worker.v1")
        + lp((31337).to_bytes(32, "big"))
        + lp(bytes.fromhex("11" * 20))
        + lp(bytes.fromhex("22" * 20))
        + lp(X25519)
        + lp(bytes.fromhex("33" * 20))
    ).digest()
    report_data = binding().report_data(NONCE)
    assert report_data == expected + NONCE
    assert len(report_data) == 64
    check_report_data(report_data, binding(), NONCE)


def test_addresses_are_compared_by_value_not_spelling() -> None:
    checksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert binding(enclave=checksummed).digest() == binding(enclave=checksummed.lower()).digest()


@pytest.mark.parametrize(
    "change",
    [
        {"domain": "veritee.gatekeeper.v1"},
        {"chain_id": 1},
        {"registry": "0x" + "44" * 20},
        {"enclave": "0x" + "44" * 20},
        {"x25519_public": bytes(32)},
        {"operator": "0x" + "44" * 20},
    ],
)
def test_each_bound_field_changes_the_binding(change: dict[str, object]) -> None:
    report_data = binding().report_data(NONCE)
    with pytest.raises(ReportDataMismatch, match="does not bind the expected domain"):
        check_report_data(report_data, binding(**change), NONCE)


def test_a_stale_nonce_is_named() -> None:
    report_data = binding().report_data(NONCE)
    with pytest.raises(ReportDataMismatch, match="expected nonce"):
        check_report_data(report_data, binding(), b"\x08" * 32)


def test_both_halves_wrong_is_named() -> None:
    report_data = binding().report_data(NONCE)
    with pytest.raises(ReportDataMismatch, match="neither"):
        check_report_data(report_data, binding(chain_id=2), bytes(32))


def test_wrong_length_report_data_is_a_mismatch() -> None:
    with pytest.raises(ReportDataMismatch, match="64 bytes"):
        check_report_data(bytes(63), binding(), NONCE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"domain": ""}, "domain"),
        ({"chain_id": -1}, "uint256"),
        ({"x25519_public": bytes(31)}, "32 bytes"),
        ({"registry": "0x1234"}, "registry must be"),
        ({"operator": "0x5AAEB6053f3e94c9b9a09f33669435e7ef1beaed"[:-1] + "D"}, "operator"),
    ],
)
def test_invalid_bindings_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        binding(**change)


def test_nonce_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="nonce must be 32 bytes"):
        binding().report_data(bytes(16))


@given(domain=st.text(min_size=1, max_size=40), tail=st.text(min_size=1, max_size=5))
def test_length_prefixes_keep_fields_apart(domain: str, tail: str) -> None:
    # Moving characters between adjacent fields never keeps the digest.
    assert binding(domain=domain).digest() != binding(domain=domain + tail).digest()
