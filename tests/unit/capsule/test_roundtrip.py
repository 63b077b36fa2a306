"""Sealing and opening: every size round-trips, in constant memory, addressed by SHA-256."""

from __future__ import annotations

import hashlib
import math
import os
import tracemalloc
from pathlib import Path

import pytest

from tests.unit.capsule.support import CAPSULES, CHAIN_ID, NETWORK_KEY, data_key, seal
from veritee.blobs import LocalBlobStore
from veritee.capsule import (
    DEFAULT_CHUNK_SIZE,
    AeadSuite,
    open_bytes,
    open_file,
    read_header,
    seal_bytes,
    seal_file,
)
from veritee.capsule.chunks import TAG_SIZE

CHUNK = DEFAULT_CHUNK_SIZE
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * 2**20 + 17]


def _payload(size: int) -> bytes:
    return hashlib.shake_256(size.to_bytes(8, "big")).digest(size) if size else b""


@pytest.mark.parametrize("size", SIZES)
def test_bytes_round_trip_with_the_default_chunk_size(size: int) -> None:
    plaintext = _payload(size)
    capsule, sealed = seal_bytes(
        plaintext, network_key=NETWORK_KEY, chain_id=CHAIN_ID, capsules=CAPSULES
    )
    header_size = len(sealed.header.encode())
    chunks = max(1, math.ceil(size / CHUNK))
    assert sealed.size == len(capsule) == header_size + size + chunks * TAG_SIZE
    assert sealed.plaintext_size == size
    assert sealed.header.chunk_size == CHUNK
    assert sealed.header.content_type == "application/octet-stream"
    assert open_bytes(capsule, data_key(sealed.header)) == plaintext


@pytest.mark.parametrize("size", SIZES)
def test_files_round_trip(size: int, tmp_path: Path) -> None:
    src, capsule, out = tmp_path / "plain", tmp_path / "capsule", tmp_path / "out"
    src.write_bytes(_payload(size))
    sealed = seal_file(src, capsule, network_key=NETWORK_KEY, chain_id=CHAIN_ID, capsules=CAPSULES)
    assert capsule.stat().st_size == sealed.size
    header = open_file(capsule, out, data_key(sealed.header))
    assert header == sealed.header == read_header(capsule)
    assert out.read_bytes() == src.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["capsule", "out", "plain"]


@pytest.mark.parametrize("suite", list(AeadSuite))
@pytest.mark.parametrize("size", [0, 63, 64, 65, 1000])
def test_both_suites_and_small_chunks(suite: AeadSuite, size: int) -> None:
    plaintext = _payload(size)
    capsule, sealed = seal(plaintext, suite=suite)
    assert sealed.header.suite == suite and capsule[5] == suite
    assert open_bytes(capsule, data_key(sealed.header)) == plaintext


def test_the_capsule_is_addressed_by_the_sha256_of_the_whole_file(tmp_path: Path) -> None:
    capsule, sealed = seal(b"x" * 500)
    assert sealed.ciphertext_sha256 == hashlib.sha256(capsule).digest()
    assert sealed.digest == hashlib.sha256(capsule).hexdigest()
    assert LocalBlobStore(tmp_path).put(capsule) == sealed.digest
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.write_bytes(b"y" * 500)
    on_disk = seal_file(src, dst, network_key=NETWORK_KEY, chain_id=CHAIN_ID, capsules=CAPSULES)
    assert on_disk.ciphertext_sha256 == hashlib.sha256(dst.read_bytes()).digest()


def test_sealing_twice_gives_unrelated_capsules() -> None:
    first, a = seal(b"same data")
    second, b = seal(b"same data")
    assert a.r != b.r and a.header.salt != b.header.salt
    assert first[-25:] != second[-25:]
    assert a.ciphertext_sha256 != b.ciphertext_sha256


def test_metadata_travels_in_the_header() -> None:
    capsule, sealed = seal(b"{}", content_type="application/json; schema=v2")
    assert read_header(capsule).content_type == "application/json; schema=v2"
    assert sealed.header.context.chain_id == CHAIN_ID


def test_a_data_key_of_the_wrong_length_is_a_caller_error() -> None:
    capsule, _ = seal(b"data")
    with pytest.raises(ValueError, match="data key is 32 bytes"):
        open_bytes(capsule, b"short")


def test_bad_sealing_arguments_are_refused_and_leave_nothing(tmp_path: Path) -> None:
    src = tmp_path / "plain"
    src.write_bytes(b"data")
    with pytest.raises(ValueError, match="chunk size 8 is outside"):
        seal_file(
            src,
            tmp_path / "capsule",
            network_key=NETWORK_KEY,
            chain_id=CHAIN_ID,
            capsules=CAPSULES,
            chunk_size=8,
        )
    with pytest.raises(ValueError, match="address"):
        seal_bytes(b"", network_key=NETWORK_KEY, chain_id=CHAIN_ID, capsules="Capsules")
    with pytest.raises(ValueError, match="longer than 1024 bytes"):
        seal(b"", content_type="x" * 1025)
    assert [p.name for p in tmp_path.iterdir()] == ["plain"]


def test_streaming_memory_stays_bounded(tmp_path: Path) -> None:
    size = 32 * 2**20
    src, capsule, out = tmp_path / "plain", tmp_path / "capsule", tmp_path / "out"
    with open(src, "wb") as f:
        for _ in range(size // 2**20):
            f.write(os.urandom(2**20))
    tracemalloc.start()
    try:
        sealed = seal_file(
            src, capsule, network_key=NETWORK_KEY, chain_id=CHAIN_ID, capsules=CAPSULES
        )
        _, seal_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        open_file(capsule, out, data_key(sealed.header))
        _, open_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sealed.plaintext_size == size
    # A few chunks in flight (64 KiB each), against a 32 MiB file.
    assert seal_peak < 1 * 2**20, seal_peak
    assert open_peak < 1 * 2**20, open_peak
    assert _file_sha256(out) == _file_sha256(src)


def _file_sha256(path: Path) -> bytes:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").digest()


def test_the_network_key_may_be_given_as_the_contracts_coordinates() -> None:
    capsule, sealed = seal_bytes(
        b"data", network_key=NETWORK_KEY.xy, chain_id=CHAIN_ID, capsules=CAPSULES
    )
    assert open_bytes(capsule, data_key(sealed.header)) == b"data"
