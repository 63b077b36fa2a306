"""From a URL or a blob URI to a store, and from a blob URI to verified bytes.

:func:`open_store` turns a store's URL (``file:///dir``, a plain path, ``http(s)://host:port/blobs``)
into a :class:`~veritee.blobs.store.BlobStore`; :func:`fetch` gets the blob a URI names and,
given the hash the chain records for it, checks first that the URI names that very hash: a URI
from an untrusted source can point at a missing blob, never at different bytes.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from urllib.parse import unquote, urlsplit

from veritee.blobs.addressing import BLOB_SCHEMES, expected_digest, parse_blob_uri
from veritee.blobs.local import LocalBlobStore
from veritee.blobs.remote import HttpBlobStore
from veritee.blobs.store import DEFAULT_MAX_SIZE, BlobStore
from veritee.exceptions import BlobError, BlobIntegrityError

__all__ = ["fetch", "open_store"]


def open_store(url: str, *, max_size: int = DEFAULT_MAX_SIZE, timeout: float = 30.0) -> BlobStore:
    """The store at ``url``: ``file:///abs/dir``, a plain path, or ``http(s)://host:port/blobs``.

    An HTTP store holds a connection pool: close it (or use the store as a context manager).
    Raises BlobError for another scheme or a ``file`` URL on a remote host.
    """
    if not isinstance(url, str) or not url:
        raise BlobError(f"blob store url must be a non-empty string, got {url!r}")
    if url.startswith(("http://", "https://")):
        return HttpBlobStore(url, timeout=timeout, max_size=max_size)
    if url.startswith("file:"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise BlobError(f"file blob store url {url!r} names a remote host {parts.netloc!r}")
        if parts.query or parts.fragment:
            raise BlobError(f"file blob store url {url!r} has a query or fragment")
        return LocalBlobStore(Path(unquote(parts.path)), max_size=max_size)
    scheme, sep, _ = url.partition("://")
    if sep:
        raise BlobError(
            f"unsupported blob store url {url!r}: scheme {scheme!r} is not one of "
            f"{', '.join(BLOB_SCHEMES)} (or a plain path)"
        )
    return LocalBlobStore(Path(url), max_size=max_size)


def fetch(
    uri: str,
    *,
    expected: bytes | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    timeout: float = 30.0,
    schemes: Collection[str] = BLOB_SCHEMES,
) -> bytes:
    """The verified bytes of the blob at ``uri``.

    ``expected`` (32 raw bytes or hex, ``0x`` optional) is the hash the caller trusts, typically
    from the chain: a URI naming another digest raises BlobIntegrityError before anything is
    fetched. ``schemes`` restricts where a URI from an untrusted source may point (a worker may
    refuse ``file`` URIs). Raises BlobError (malformed URI, scheme not allowed, store failure),
    BlobNotFound, BlobIntegrityError or BlobTooLarge.
    """
    base, digest = parse_blob_uri(uri)
    scheme = base.partition(":")[0]
    if scheme not in schemes:
        raise BlobError(
            f"blob uri {uri[:200]!r} uses scheme {scheme!r}; allowed: {', '.join(schemes)}"
        )
    if expected is not None:
        want = expected_digest(expected)
        if want != digest:
            raise BlobIntegrityError(
                f"blob uri {uri[:200]!r} names digest {digest}, not the expected {want}"
            )
    with open_store(base, max_size=max_size, timeout=timeout) as store:
        return store.get(digest)
