"""The local-directory store: put/get/has, streaming, integrity, limits, atomicity."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from veritee.blobs import LocalBlobStore, fetch, sha256_hex
from veritee.exceptions import BlobError, BlobIntegrityError, BlobNotFound, BlobTooLarge

DATA = b"some ciphertext"
DIGEST = sha256_hex(DATA)


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_put_get_has_uri(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    assert not store.has(DIGEST)
    assert store.put(DATA) == DIGEST
    assert store.has(DIGEST)
    assert store.get(DIGEST) == DATA
    assert store.uri(DIGEST) == f"{(tmp_path / 'blobs').as_uri()}/{DIGEST}"
    assert _files(tmp_path / "blobs") == [f"{DIGEST[:2]}/{DIGEST}"]


def test_put_is_idempotent(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    path = store.path(store.put(DATA))
    before = path.stat().st_mtime_ns
    assert store.put(DATA) == DIGEST
    assert path.stat().st_mtime_ns == before
    assert _files(tmp_path) == [f"{DIGEST[:2]}/{DIGEST}"]


def test_the_empty_blob(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    digest = store.put(b"")
    assert digest == hashlib.sha256(b"").hexdigest()
    assert store.get(digest) == b""


def test_missing_blobs(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "never-created")
    with pytest.raises(BlobNotFound, match=f"no blob {DIGEST} in file://"):
        store.get(DIGEST)
    with pytest.raises(BlobNotFound, match=f"no blob {DIGEST}"):
        store.get_to_file(DIGEST, tmp_path / "out")
    assert not (tmp_path / "never-created").exists()
    assert not (tmp_path / "out").exists()


def test_a_corrupt_blob_is_never_returned(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    store.path(store.put(DATA)).write_bytes(b"other bytes")
    with pytest.raises(BlobIntegrityError, match=f"blob {DIGEST} is corrupt: its bytes hash to"):
        store.get(DIGEST)
    with pytest.raises(BlobIntegrityError, match="is corrupt"):
        store.get_to_file(DIGEST, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["blobs"]


def test_a_corrupt_blob_of_the_same_size_is_repaired_by_a_put(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    store.put(DATA)
    store.path(DIGEST).write_bytes(b"x" * len(DATA))
    assert store.put(DATA) == DIGEST and store.get(DIGEST) == DATA
    store.path(DIGEST).write_bytes(b"x" * len(DATA))
    source = store.root / "source"
    source.write_bytes(DATA)
    assert store.put_file(source) == DIGEST and store.get(DIGEST) == DATA


def test_size_limits(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, max_size=10)
    with pytest.raises(BlobTooLarge, match="15 bytes, above the limit of 10"):
        store.put(DATA)
    big = tmp_path / "big"
    big.write_bytes(DATA)
    with pytest.raises(BlobTooLarge, match="limit of 10 bytes"):
        store.put_file(big)
    LocalBlobStore(tmp_path).put(DATA)  # stored by a store with a larger limit
    with pytest.raises(BlobTooLarge, match=f"blob {DIGEST} is 15 bytes, above the limit of 10"):
        store.get(DIGEST)
    with pytest.raises(BlobTooLarge, match=f"blob {DIGEST} is 15 bytes"):
        store.get_to_file(DIGEST, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not any(p.name.endswith(".part") for p in tmp_path.rglob("*"))
    with pytest.raises(ValueError, match="max_size must be positive"):
        LocalBlobStore(tmp_path, max_size=0)


def test_files_stream_in_and_out(tmp_path: Path) -> None:
    source = tmp_path / "source"
    data = os.urandom(3 * 2**20 + 5)
    source.write_bytes(data)
    store = LocalBlobStore(tmp_path / "blobs")
    digest = store.put_file(source)
    assert digest == sha256_hex(data)
    assert store.put_file(source) == digest  # idempotent
    out = tmp_path / "nested" / "out"
    store.get_to_file(digest, out)
    assert out.read_bytes() == data
    assert [p.name for p in out.parent.iterdir()] == ["out"]  # no temporary left
    assert not list((tmp_path / "blobs" / ".tmp").iterdir())


def test_malformed_digests_never_touch_the_filesystem(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    for call in (store.get, store.has, store.path):
        with pytest.raises(BlobError, match="malformed blob digest"):
            call("../" + DIGEST[3:])


def test_two_stores_on_one_directory_share_blobs(tmp_path: Path) -> None:
    writer, reader = LocalBlobStore(tmp_path), LocalBlobStore(tmp_path)
    digest = writer.put(DATA)
    assert reader.has(digest) and reader.get(digest) == DATA


def test_fetch_a_file_uri(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    uri = store.uri(store.put(DATA))
    assert fetch(uri) == DATA
    assert fetch(uri, expected=bytes.fromhex(DIGEST)) == DATA
    assert fetch(uri, expected="0x" + DIGEST.upper()) == DATA
    other = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(
        BlobIntegrityError, match=f"names digest {DIGEST}, not the expected {other}"
    ):
        fetch(uri, expected=other)
    with pytest.raises(BlobTooLarge):
        fetch(uri, max_size=4)
    with pytest.raises(BlobError, match="uses scheme 'file'; allowed: http, https"):
        fetch(uri, schemes=("http", "https"))
    with pytest.raises(BlobNotFound):
        fetch(store.uri(other))
