"""Every way of changing a capsule is detected: header, chunks, order, length, key, R.

The capsules here use 64-byte chunks so that a few hundred bytes make several chunks. After
the header parses, every failure is the same opaque DecryptionError.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.capsule.support import CAPSULES, CHAIN_ID, data_key, key_for, seal
from veritee.capsule import CapsuleHeader, open_bytes, open_file
from veritee.capsule.chunks import TAG_SIZE
from veritee.crypto.secp256k1 import mul_base
from veritee.crypto.threshold import CapsuleContext
from veritee.exceptions import CapsuleFormatError, DecryptionError

PLAINTEXT = bytes(range(256)) + b"tail of the data"  # 272 bytes: 4 full chunks and one of 16
CAPSULE, SEALED = seal(PLAINTEXT)
KEY = data_key(SEALED.header)
HEADER_SIZE = len(SEALED.header.encode())
SEGMENT = 64 + TAG_SIZE
OPAQUE = "^capsule could not be opened$"


def _segments(capsule: bytes = CAPSULE) -> tuple[bytes, list[bytes]]:
    body = capsule[HEADER_SIZE:]
    return capsule[:HEADER_SIZE], [body[i : i + SEGMENT] for i in range(0, len(body), SEGMENT)]


def _refused(capsule: bytes, key: bytes = KEY) -> None:
    with pytest.raises(DecryptionError, match=OPAQUE):
        open_bytes(capsule, key)


def test_the_untouched_capsule_opens() -> None:
    _, segments = _segments()
    assert [len(s) for s in segments] == [SEGMENT] * 4 + [16 + TAG_SIZE]
    assert open_bytes(CAPSULE, KEY) == PLAINTEXT


def test_any_header_byte_flip_is_detected() -> None:
    for offset in range(HEADER_SIZE):
        tampered = bytearray(CAPSULE)
        tampered[offset] ^= 0x01
        with pytest.raises((CapsuleFormatError, DecryptionError)):
            open_bytes(bytes(tampered), KEY)


@pytest.mark.parametrize(
    ("offset", "field"),
    # 64 -> 320 bytes, still a valid chunk size; "text/csv" -> "tdxt/csv"; the others any bit.
    [(8, "chunk size"), (60, "chain id"), (80, "contract"), (100, "salt"), (130, "content type")],
)
def test_a_header_change_that_still_parses_fails_every_chunk(offset: int, field: str) -> None:
    tampered = bytearray(CAPSULE)
    tampered[offset] ^= 0x01
    assert CapsuleHeader.parse(bytes(tampered))[0] != SEALED.header, field
    _refused(bytes(tampered))


@pytest.mark.parametrize(("offset", "message"), [(0, "magic"), (4, "version"), (5, "suite")])
def test_a_header_change_that_does_not_parse_is_a_format_error(offset: int, message: str) -> None:
    tampered = bytearray(CAPSULE)
    tampered[offset] ^= 0x40
    with pytest.raises(CapsuleFormatError, match=message):
        open_bytes(bytes(tampered), KEY)


def test_any_chunk_byte_flip_is_detected() -> None:
    for offset in range(HEADER_SIZE, len(CAPSULE)):
        tampered = bytearray(CAPSULE)
        tampered[offset] ^= 0x80
        _refused(bytes(tampered))


@pytest.mark.parametrize(("a", "b"), [(0, 1), (1, 2), (3, 4), (0, 4)])
def test_swapped_chunks_are_detected(a: int, b: int) -> None:
    header, segments = _segments()
    segments[a], segments[b] = segments[b], segments[a]
    _refused(header + b"".join(segments))


def test_every_truncation_is_detected() -> None:
    for length in range(len(CAPSULE)):
        with pytest.raises((CapsuleFormatError, DecryptionError)) as caught:
            open_bytes(CAPSULE[:length], KEY)
        if length >= HEADER_SIZE:
            assert caught.type is DecryptionError


def test_dropping_the_last_chunk_is_detected() -> None:
    header, segments = _segments()
    truncated = header + b"".join(segments[:-1])
    assert (len(truncated) - HEADER_SIZE) % SEGMENT == 0  # ends on a chunk boundary
    _refused(truncated)


def test_dropping_a_middle_chunk_is_detected() -> None:
    header, segments = _segments()
    _refused(header + b"".join(segments[:2] + segments[3:]))


@pytest.mark.parametrize(
    "extra", [b"\x00", bytes(TAG_SIZE), bytes(SEGMENT), b"chunk" * 20], ids=len
)
def test_appending_anything_is_detected(extra: bytes) -> None:
    _refused(CAPSULE + extra)


def test_appending_or_duplicating_a_real_chunk_is_detected() -> None:
    header, segments = _segments()
    _refused(CAPSULE + segments[-1])
    _refused(header + b"".join(segments[:2] + segments[1:]))


def test_a_capsule_whose_plaintext_fills_its_chunks_cannot_be_cut_at_a_boundary() -> None:
    capsule, sealed = seal(bytes(128))  # exactly two full chunks, the second one last
    header, segments = _segments(capsule)
    assert len(segments) == 2
    _refused(header + segments[0], data_key(sealed.header))
    assert open_bytes(capsule, data_key(sealed.header)) == bytes(128)


def test_an_empty_capsule_cannot_lose_its_only_chunk() -> None:
    capsule, sealed = seal(b"")
    assert len(capsule) == len(sealed.header.encode()) + TAG_SIZE
    assert open_bytes(capsule, data_key(sealed.header)) == b""
    _refused(capsule[:-TAG_SIZE], data_key(sealed.header))


def test_a_wrong_key_is_detected() -> None:
    _refused(CAPSULE, bytes(32))
    _, other_sealed = seal(PLAINTEXT)
    _refused(CAPSULE, data_key(other_sealed.header))


def test_a_wrong_r_is_detected() -> None:
    # The key for another R (what gatekeepers would release for another capsule)...
    wrong_r = mul_base(424242)
    _refused(CAPSULE, key_for(wrong_r, CapsuleContext.for_ephemeral(wrong_r, CHAIN_ID, CAPSULES)))
    # ...and a header whose R was replaced, opened with the key that R would get.
    tampered = bytearray(CAPSULE)
    tampered[10:43] = wrong_r.compressed
    header, _ = CapsuleHeader.parse(bytes(tampered))
    assert header.r == wrong_r
    _refused(bytes(tampered), data_key(header))


def test_a_key_for_another_chain_or_contract_is_detected() -> None:
    r = SEALED.r
    _refused(CAPSULE, key_for(r, CapsuleContext.for_ephemeral(r, CHAIN_ID + 1, CAPSULES)))
    other = "0x" + "11" * 20
    _refused(CAPSULE, key_for(r, CapsuleContext.for_ephemeral(r, CHAIN_ID, other)))


def test_chunks_from_another_capsule_do_not_splice_in() -> None:
    other, _ = seal(PLAINTEXT)
    header, segments = _segments()
    _, other_segments = _segments(other)
    _refused(header + b"".join(segments[:2] + other_segments[2:]))


def test_a_failed_open_leaves_no_file(tmp_path: Path) -> None:
    src, dst = tmp_path / "capsule", tmp_path / "out"
    tampered = bytearray(CAPSULE)
    tampered[-1] ^= 0x01  # only the last chunk fails: earlier chunks were already written
    src.write_bytes(bytes(tampered))
    with pytest.raises(DecryptionError, match=OPAQUE):
        open_file(src, dst, KEY)
    src.write_bytes(b"NOPE" + CAPSULE[4:])
    with pytest.raises(CapsuleFormatError):
        open_file(src, dst, KEY)
    assert [p.name for p in tmp_path.iterdir()] == ["capsule"]
