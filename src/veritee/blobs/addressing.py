"""Blob addresses: the lowercase hex SHA-256 of a blob's bytes, and the URIs that name them.

A blob URI is ``<store base URL>/<hex digest>``: ``file:///abs/dir/<hex>`` for a local directory,
``http://host:port/blobs/<hex>`` for a blob server. Everything here is pure string handling; a
malformed digest or URI raises :class:`~veritee.exceptions.BlobError` naming what is wrong, since
URIs usually come from untrusted places (the chain, a relayer).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from veritee.exceptions import BlobError

__all__ = [
    "BLOB_SCHEMES",
    "DIGEST_SIZE",
    "check_digest",
    "expected_digest",
    "parse_blob_uri",
    "sha256_hex",
]

DIGEST_SIZE = 32
"""A blob address is a SHA-256: 32 bytes, 64 lowercase hex characters."""

BLOB_SCHEMES = ("file", "http", "https")
"""The URI schemes a blob URI may use."""

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes) -> str:
    """The blob address of ``data``."""
    return hashlib.sha256(data).hexdigest()


def check_digest(digest: str) -> str:
    """Return ``digest`` if it is 64 lowercase hex characters; raise BlobError otherwise."""
    if not isinstance(digest, str) or _HEX_DIGEST.fullmatch(digest) is None:
        shown = digest[:80] if isinstance(digest, str) else type(digest).__name__
        raise BlobError(
            f"malformed blob digest {shown!r}: expected 64 lowercase hex characters (a SHA-256)"
        )
    return digest


def expected_digest(expected: bytes | str) -> str:
    """A caller's expected hash, as 32 raw bytes or hex (``0x`` optional, any case), as hex."""
    if isinstance(expected, bytes | bytearray | memoryview):
        raw = bytes(expected)
        if len(raw) != DIGEST_SIZE:
            raise BlobError(f"an expected SHA-256 is {DIGEST_SIZE} bytes, got {len(raw)}")
        return raw.hex()
    if not isinstance(expected, str):
        raise BlobError(f"an expected SHA-256 is bytes or hex, got {type(expected).__name__}")
    text = expected[2:] if expected[:2] in ("0x", "0X") else expected
    return check_digest(text.lower())


def parse_blob_uri(uri: str) -> tuple[str, str]:
    """Split a blob URI into its store's base URL and its hex digest.

    ``"http://127.0.0.1:8000/blobs/ab12…"`` gives ``("http://127.0.0.1:8000/blobs", "ab12…")``.
    Raises BlobError for an unsupported scheme, a query or fragment, a missing base, or a last
    path segment that is not a digest.
    """
    if not isinstance(uri, str) or not uri:
        raise BlobError(f"malformed blob uri {uri!r}: expected '<store url>/<sha-256 hex>'")
    try:
        parts = urlsplit(uri)
    except ValueError as exc:
        raise BlobError(f"malformed blob uri {uri[:200]!r}: {exc}") from exc
    if parts.scheme not in BLOB_SCHEMES:
        raise BlobError(
            f"malformed blob uri {uri[:200]!r}: scheme {parts.scheme!r} is not one of "
            f"{', '.join(BLOB_SCHEMES)}"
        )
    if parts.query or parts.fragment or uri.endswith(("?", "#")):
        raise BlobError(f"malformed blob uri {uri[:200]!r}: a blob uri has no query or fragment")
    if parts.scheme != "file" and not parts.netloc:
        raise BlobError(f"malformed blob uri {uri[:200]!r}: no host")
    base, slash, digest = uri.rpartition("/")
    if not slash or base.endswith(":/") or base.endswith("://"):
        raise BlobError(f"malformed blob uri {uri[:200]!r}: no store url before the digest")
    if _HEX_DIGEST.fullmatch(digest) is None:
        raise BlobError(
            f"malformed blob uri {uri[:200]!r}: it must end in a 64-character lowercase hex SHA-256"
        )
    return base, digest
