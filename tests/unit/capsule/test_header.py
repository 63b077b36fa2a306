"""The capsule header: its pinned byte layout, validation, and strict parsing."""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import pytest

from tests.unit.capsule.support import CAPSULES, CHAIN_ID, NETWORK_KEY, seal
from veritee.capsule import CapsuleHeader, read_header
from veritee.capsule.header import FIXED_HEADER_SIZE, MAX_CONTENT_TYPE
from veritee.crypto.secp256k1 import mul_base
from veritee.crypto.threshold import CapsuleContext
from veritee.exceptions import CapsuleFormatError

HEADER = CapsuleHeader(
    version=1,
    suite=3,
    chunk_size=65536,
    r=mul_base(7),
    chain_id=CHAIN_ID,
    contract=CAPSULES.lower(),
    salt=bytes(range(32)),
    content_type="text/csv",
)


def test_layout_is_the_documented_one() -> None:
    raw = HEADER.encode()
    assert FIXED_HEADER_SIZE == 129
    assert len(raw) == 129 + len("text/csv")
    assert raw[0:4] == b"VTCP"
    assert raw[4] == 1 and raw[5] == 3
    assert raw[6:10] == (65536).to_bytes(4, "big")
    assert raw[10:43] == mul_base(7).compressed
    assert raw[43:75] == CHAIN_ID.to_bytes(32, "big")
    assert raw[75:95] == bytes.fromhex(CAPSULES[2:])
    assert raw[95:127] == bytes(range(32))
    assert raw[127:129] == (8).to_bytes(2, "big")
    assert raw[129:] == b"text/csv"


def test_parse_round_trips_and_reports_the_length() -> None:
    raw = HEADER.encode()
    assert CapsuleHeader.parse(raw) == (HEADER, len(raw))
    assert CapsuleHeader.parse(raw + b"chunks follow") == (HEADER, len(raw))


def test_contract_is_normalised_and_the_context_is_the_threshold_one() -> None:
    assert HEADER.contract == CAPSULES
    assert HEADER.context == CapsuleContext.for_ephemeral(mul_base(7), CHAIN_ID, CAPSULES)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "unsupported capsule version 2"),
        ({"suite": 9}, "unknown capsule AEAD suite 0x09"),
        ({"chunk_size": 63}, "chunk size 63 is outside"),
        ({"chunk_size": (1 << 24) + 1}, "is outside"),
        ({"chain_id": -1}, "not a uint256"),
        ({"contract": "0x1234"}, "is not an address"),
        ({"salt": b"short"}, "salt is 32 bytes"),
        ({"content_type": "é" * 513}, "longer than 1024 bytes"),
    ],
)
def test_construction_validates(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(HEADER, **change)  # type: ignore[arg-type]


def _patched(offset: int, value: bytes) -> bytes:
    raw = bytearray(HEADER.encode())
    raw[offset : offset + len(value)] = value
    return bytes(raw)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "truncated"),
        (b"VTC", "truncated"),
        (b"NOPE" + HEADER.encode()[4:], "not a veritee capsule"),
        (_patched(4, b"\x02"), "unsupported capsule version 2"),
        (_patched(4, b"\x00"), "unsupported capsule version 0"),
        (HEADER.encode()[:100], "truncated: 100 bytes, need 129"),
        (HEADER.encode()[:-1], "need 137 with its content type"),
        (_patched(5, b"\x07"), "unknown capsule AEAD suite 0x07"),
        (_patched(6, (10).to_bytes(4, "big")), "chunk size 10 is outside"),
        (_patched(6, (1 << 31).to_bytes(4, "big")), "is outside"),
        (_patched(10, b"\x05"), "R is not a secp256k1 point"),
        (_patched(11, b"\xff" * 32), "R is not a secp256k1 point"),
        (_patched(127, (MAX_CONTENT_TYPE + 1).to_bytes(2, "big")), "above the limit of 1024"),
        (_patched(129, b"\xff"), "content type is not UTF-8"),
    ],
)
def test_malformed_headers_are_format_errors(data: bytes, message: str) -> None:
    with pytest.raises(CapsuleFormatError, match=message):
        CapsuleHeader.parse(data)


def test_a_later_version_is_refused_before_its_layout_is_read() -> None:
    # Only magic and version are fixed across versions: version 2 may be any length.
    with pytest.raises(CapsuleFormatError, match="version 2"):
        CapsuleHeader.parse(b"VTCP\x02")


def test_read_header_from_bytes_and_from_a_file(tmp_path: Path) -> None:
    data, sealed = seal(b"a,b\n1,2\n")
    path = tmp_path / "capsule"
    path.write_bytes(data)
    assert read_header(data) == sealed.header
    assert read_header(path) == sealed.header
    assert sealed.header.r == sealed.r
    assert sealed.header.contract == CAPSULES and sealed.header.chain_id == CHAIN_ID
    assert sealed.header.content_type == "text/csv"
    assert sealed.r != NETWORK_KEY


def test_read_header_of_a_file_that_is_not_a_capsule(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello")
    with pytest.raises(CapsuleFormatError, match="not a veritee capsule"):
        read_header(path)
    path.write_bytes(HEADER.encode()[:-3])
    with pytest.raises(CapsuleFormatError, match="truncated"):
        read_header(path)


def test_encoding_is_canonical() -> None:
    raw = HEADER.encode()
    fields = struct.unpack(">4sBBI33s32s20s32sH", raw[:129])
    assert fields[0] == b"VTCP"
    assert CapsuleHeader.parse(raw)[0].encode() == raw
