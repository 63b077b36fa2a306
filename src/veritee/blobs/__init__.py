"""veritee.blobs: content-addressed blob storage, verified on every read.

A blob's address is the lowercase hex SHA-256 of its bytes and its URI is
``<store base URL>/<hex>``. Stores are untrusted: they can lose a blob, never substitute one.

- :class:`BlobStore` the interface; :class:`LocalBlobStore` a directory (atomic writes);
  :class:`HttpBlobStore` a blob server over HTTP (streaming both ways);
- :func:`open_store` a store from its URL; :func:`parse_blob_uri` and :func:`fetch` from a URI;
- :class:`BlobServer` and :func:`serve_blobs` serve a local store over HTTP (aiohttp).
"""

from veritee.blobs.addressing import check_digest, parse_blob_uri, sha256_hex
from veritee.blobs.local import LocalBlobStore
from veritee.blobs.remote import HttpBlobStore
from veritee.blobs.resolve import fetch, open_store
from veritee.blobs.server import BlobServer, serve_blobs
from veritee.blobs.store import DEFAULT_MAX_SIZE, BlobStore

__all__ = [
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
