"""Blob addresses and URIs: what parses, what does not, and why."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from veritee.blobs import (
    HttpBlobStore,
    LocalBlobStore,
    check_digest,
    open_store,
    parse_blob_uri,
    sha256_hex,
)
from veritee.blobs.addressing import expected_digest
from veritee.exceptions import BlobError

DIGEST = hashlib.sha256(b"blob").hexdigest()


def test_the_address_is_the_lowercase_hex_sha256() -> None:
    assert sha256_hex(b"blob") == DIGEST
    assert check_digest(DIGEST) == DIGEST


@pytest.mark.parametrize(
    "bad", ["", "00" * 31, "00" * 33, DIGEST.upper(), "0x" + DIGEST[2:], "zz" * 32]
)
def test_malformed_digests_are_named(bad: str) -> None:
    with pytest.raises(BlobError, match=r"malformed blob digest .*64 lowercase hex"):
        check_digest(bad)


def test_expected_hashes_in_every_spelling() -> None:
    raw = bytes.fromhex(DIGEST)
    for spelling in (raw, DIGEST, DIGEST.upper(), "0x" + DIGEST, "0X" + DIGEST.upper()):
        assert expected_digest(spelling) == DIGEST
    with pytest.raises(BlobError, match="32 bytes, got 31"):
        expected_digest(raw[:31])
    with pytest.raises(BlobError, match="malformed blob digest"):
        expected_digest("0x1234")


@pytest.mark.parametrize(
    ("uri", "base"),
    [
        (f"http://127.0.0.1:8000/blobs/{DIGEST}", "http://127.0.0.1:8000/blobs"),
        (f"https://blobs.example.org/{DIGEST}", "https://blobs.example.org"),
        (f"file:///var/lib/veritee/blobs/{DIGEST}", "file:///var/lib/veritee/blobs"),
        (f"file:///tmp/with%20space/{DIGEST}", "file:///tmp/with%20space"),
    ],
)
def test_parse_blob_uri(uri: str, base: str) -> None:
    assert parse_blob_uri(uri) == (base, DIGEST)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("", "expected '<store url>/<sha-256 hex>'"),
        (f"s3://bucket/{DIGEST}", "scheme 's3' is not one of file, http, https"),
        (f"blob://{DIGEST}", "scheme 'blob'"),
        (f"/plain/path/{DIGEST}", "scheme ''"),
        (f"http:///{DIGEST}", "no host"),
        (f"http://host/{DIGEST}?x=1", "no query or fragment"),
        (f"http://host/{DIGEST}#frag", "no query or fragment"),
        (f"file:///{DIGEST}", "no store url before the digest"),
        ("http://host/blobs/abc", "must end in a 64-character lowercase hex SHA-256"),
        (f"http://host/blobs/{DIGEST.upper()}", "lowercase hex"),
        (f"http://host/blobs/{DIGEST}/", "must end in"),
    ],
)
def test_malformed_blob_uris_are_named(uri: str, message: str) -> None:
    with pytest.raises(BlobError, match=message):
        parse_blob_uri(uri)


def test_open_store_from_urls_and_paths(tmp_path: Path) -> None:
    store = open_store(tmp_path.as_uri())
    assert isinstance(store, LocalBlobStore) and store.root == tmp_path.resolve()
    assert store.base_url == tmp_path.resolve().as_uri()
    assert store.uri(DIGEST) == f"{tmp_path.resolve().as_uri()}/{DIGEST}"
    plain = open_store(str(tmp_path / "sub dir"))
    assert isinstance(plain, LocalBlobStore) and plain.root == (tmp_path / "sub dir").resolve()
    assert open_store(plain.base_url).base_url == plain.base_url  # %20 round-trips
    assert not (tmp_path / "sub dir").exists()  # opening creates nothing
    with open_store("http://127.0.0.1:9/blobs/", max_size=10) as remote:
        assert isinstance(remote, HttpBlobStore)
        assert remote.base_url == "http://127.0.0.1:9/blobs" and remote.max_size == 10
        assert remote.uri(DIGEST) == f"http://127.0.0.1:9/blobs/{DIGEST}"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://bucket", "scheme 's3' is not one of"),
        ("file://otherhost/dir", "remote host 'otherhost'"),
        ("file:///dir?x=1", "query or fragment"),
        ("", "non-empty"),
    ],
)
def test_open_store_refuses_what_it_cannot_open(url: str, message: str) -> None:
    with pytest.raises(BlobError, match=message):
        open_store(url)


def test_uri_refuses_a_malformed_digest(tmp_path: Path) -> None:
    with pytest.raises(BlobError, match="malformed blob digest"):
        LocalBlobStore(tmp_path).uri("../../etc/passwd")
