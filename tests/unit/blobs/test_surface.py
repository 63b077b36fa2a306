"""Pins the public surface of veritee.blobs: other parts code against exactly these names."""

import inspect

import veritee.blobs
from veritee.blobs import BlobServer, BlobStore, HttpBlobStore, LocalBlobStore


def test_blobs_surface() -> None:
    assert sorted(veritee.blobs.__all__) == sorted(
        [
            "DEFAULT_MAX_SIZE",
            "BlobServer",
            "BlobStore",
            "HttpBlobStore",
            "LocalBlobStore",
            "check_digest",
            "fetch",
            "open_store",
            "parse_blob_uri",
            "serve_blobs",
            "sha256_hex",
        ]
    )
    for name in veritee.blobs.__all__:
        assert hasattr(veritee.blobs, name)


def test_store_interface() -> None:
    abstract = {"put", "put_file", "get", "get_to_file", "has"}
    assert BlobStore.__abstractmethods__ == abstract
    for cls in (LocalBlobStore, HttpBlobStore):
        assert issubclass(cls, BlobStore)
        assert not cls.__abstractmethods__
    assert list(inspect.signature(LocalBlobStore).parameters) == ["root", "max_size"]
    assert list(inspect.signature(HttpBlobStore).parameters)[:3] == [
        "base_url",
        "timeout",
        "max_size",
    ]
    assert list(inspect.signature(BlobServer).parameters) == ["store", "host", "port"]
    assert inspect.signature(BlobServer).parameters["host"].default == "127.0.0.1"
