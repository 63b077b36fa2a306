"""The blob server and its client, over real HTTP on 127.0.0.1.

The server runs in a background thread (its own event loop); the client side is the
synchronous ``HttpBlobStore``, as another process would use it. The server's directory is also
read through a ``LocalBlobStore``, which is how the two sides are checked against each other.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from veritee.blobs import BlobServer, HttpBlobStore, LocalBlobStore, fetch, sha256_hex
from veritee.exceptions import (
    BlobError,
    BlobIntegrityError,
    BlobNotFound,
    BlobTooLarge,
    NodeError,
)

DATA = b"sealed input envelope"
DIGEST = sha256_hex(DATA)
MISSING = hashlib.sha256(b"never stored").hexdigest()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalBlobStore, str]]:
    store = LocalBlobStore(tmp_path_factory.mktemp("served"), max_size=8 * 2**20)
    with BlobServer(store) as server:
        yield store, server.url


@pytest.fixture
def client(served: tuple[LocalBlobStore, str]) -> Iterator[HttpBlobStore]:
    with HttpBlobStore(served[1], timeout=5.0) as store:
        yield store


def _no_partial_files(store: LocalBlobStore) -> bool:
    return not any(p.name.endswith(".part") for p in store.root.rglob("*"))


def test_the_server_binds_loopback_and_names_its_store(served: tuple[LocalBlobStore, str]) -> None:
    _, url = served
    assert url.startswith("http://127.0.0.1:") and url.endswith("/blobs")
    health = httpx.get(url.removesuffix("/blobs") + "/health")
    assert health.status_code == 200 and health.json() == {"ok": True}


def test_put_get_has(served: tuple[LocalBlobStore, str], client: HttpBlobStore) -> None:
    local, url = served
    assert client.put(DATA) == DIGEST
    assert client.put(DATA) == DIGEST  # idempotent
    assert client.has(DIGEST) and local.has(DIGEST)
    assert client.get(DIGEST) == DATA
    assert client.uri(DIGEST) == f"{url}/{DIGEST}"
    assert not client.has(MISSING)
    assert fetch(client.uri(DIGEST), expected=bytes.fromhex(DIGEST)) == DATA


def test_blobs_stored_locally_are_served(
    served: tuple[LocalBlobStore, str], client: HttpBlobStore
) -> None:
    digest = served[0].put(b"written by the server's host")
    assert client.get(digest) == b"written by the server's host"


def test_files_stream_both_ways(tmp_path: Path, client: HttpBlobStore) -> None:
    data = os.urandom(3 * 2**20 + 1)
    source = tmp_path / "source"
    source.write_bytes(data)
    digest = client.put_file(source)
    assert digest == sha256_hex(data)
    out = tmp_path / "out"
    client.get_to_file(digest, out)
    assert out.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "source"]


def test_missing_blobs(tmp_path: Path, client: HttpBlobStore) -> None:
    with pytest.raises(BlobNotFound, match=f"no blob {MISSING} at http://127.0.0.1"):
        client.get(MISSING)
    with pytest.raises(BlobNotFound):
        client.get_to_file(MISSING, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_server_returning_wrong_bytes_is_caught(
    tmp_path: Path, served: tuple[LocalBlobStore, str], client: HttpBlobStore
) -> None:
    local, _ = served
    digest = local.put(b"the real bytes")
    local.path(digest).write_bytes(b"substituted!!!")  # same length, other content
    with pytest.raises(BlobIntegrityError, match=f"returned bytes for {digest} that hash to"):
        client.get(digest)
    with pytest.raises(BlobIntegrityError, match="that hash to"):
        client.get_to_file(digest, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_the_client_size_limit(tmp_path: Path, served: tuple[LocalBlobStore, str]) -> None:
    digest = served[0].put(b"x" * 100)
    with HttpBlobStore(served[1], max_size=99) as small:
        with pytest.raises(BlobTooLarge, match=f"blob {digest} is 100 bytes, above the limit"):
            small.get(digest)
        with pytest.raises(BlobTooLarge):
            small.get_to_file(digest, tmp_path / "out")
        with pytest.raises(BlobTooLarge, match="100 bytes, above the limit of 99"):
            small.put(b"y" * 100)
    assert list(tmp_path.iterdir()) == []


def test_the_server_size_limit(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "small", max_size=64)
    with BlobServer(store) as server, HttpBlobStore(server.url) as client:
        with pytest.raises(BlobTooLarge, match=r"refused 65 bytes as too large: .*limit of 64"):
            client.put(b"z" * 65)
        # Without a Content-Length the server finds out while streaming, and still refuses.
        chunked = httpx.put(
            f"{server.url}/{sha256_hex(b'z' * 100)}", content=iter([b"z" * 50, b"z" * 50])
        )
        assert chunked.status_code == 413
        assert "larger than the limit of 64 bytes" in chunked.json()["error"]
        assert client.put(b"z" * 64) == sha256_hex(b"z" * 64)
    assert [p.name for p in store.root.rglob("*") if p.is_file()] == [sha256_hex(b"z" * 64)]


def test_a_put_with_the_wrong_digest_is_refused_and_nothing_stored(
    served: tuple[LocalBlobStore, str],
) -> None:
    local, url = served
    response = httpx.put(f"{url}/{MISSING}", content=b"not the bytes of that digest")
    assert response.status_code == 400
    assert response.json()["error"].startswith("blob bytes hash to ")
    assert f"not to the address {MISSING}" in response.json()["error"]
    assert not local.has(MISSING) and not local.has(sha256_hex(b"not the bytes of that digest"))
    assert _no_partial_files(local)


def test_post_stores_under_the_body_hash(served: tuple[LocalBlobStore, str]) -> None:
    local, url = served
    response = httpx.post(url, content=b"posted")
    assert response.status_code == 201
    assert response.json() == {"digest": sha256_hex(b"posted"), "size": 6}
    assert local.get(sha256_hex(b"posted")) == b"posted"
    assert httpx.post(url, content=b"posted").status_code == 200


def test_head_and_caching_headers(served: tuple[LocalBlobStore, str]) -> None:
    local, url = served
    digest = local.put(b"head me")
    head = httpx.head(f"{url}/{digest}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == "7"
    assert head.headers["Content-Type"] == "application/octet-stream"
    assert "immutable" in head.headers["Cache-Control"]
    assert httpx.head(f"{url}/{MISSING}").status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "HEAD"])
def test_malformed_digests_are_400_with_a_reason(
    served: tuple[LocalBlobStore, str], method: str
) -> None:
    response = httpx.request(method, f"{served[1]}/NOT-A-DIGEST", content=b"x")
    assert response.status_code == 400
    if method != "HEAD":
        reason = json.loads(response.content)["error"]
        assert reason.startswith("malformed blob digest 'NOT-A-DIGEST'")


def test_the_client_refuses_malformed_digests_before_any_request(client: HttpBlobStore) -> None:
    with pytest.raises(BlobError, match="malformed blob digest"):
        client.get("../health")
    with pytest.raises(BlobError, match="malformed blob digest"):
        client.has(DIGEST.upper())


def test_an_unreachable_server_is_a_blob_error(served: tuple[LocalBlobStore, str]) -> None:
    with HttpBlobStore("http://127.0.0.1:9/blobs", timeout=2.0) as dead:
        with pytest.raises(
            BlobError, match=re.escape("blob server http://127.0.0.1:9/blobs failed on")
        ):
            dead.get(DIGEST)
        with pytest.raises(BlobError, match="failed on PUT"):
            dead.put(DATA)
        with pytest.raises(BlobError, match="failed on HEAD"):
            dead.has(DIGEST)
    with pytest.raises(BlobError, match="not an http"):
        HttpBlobStore("ftp://host/blobs")


def test_server_errors_and_unannounced_oversize_bodies() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(503, json={"error": "disk on fire"})
        # A body streamed without a Content-Length: the cap applies while reading.
        return httpx.Response(200, content=iter([b"a" * 60, b"b" * 60]))

    transport = httpx.MockTransport(handler)
    with HttpBlobStore("http://blobs.test/blobs", max_size=100, transport=transport) as store:
        with pytest.raises(BlobError, match="HTTP 503: disk on fire"):
            store.has(DIGEST)
        with pytest.raises(BlobTooLarge, match="larger than the limit of 100 bytes"):
            store.get(DIGEST)


def test_a_second_server_on_a_taken_port_fails_to_start(
    served: tuple[LocalBlobStore, str],
) -> None:
    port = int(served[1].rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(NodeError, match=f"blob server on 127.0.0.1:{port} did not start"):
        BlobServer(served[0], port=port).start()
