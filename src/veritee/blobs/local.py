"""A blob store in a local directory.

Layout: the blob ``ab12…`` lives at ``<root>/ab/ab12…`` (one level of fan-out keeps directories
small); writes go to a temporary file in ``<root>/.tmp`` first and are renamed into place after
an fsync, so a reader (in this process or another one sharing the directory) sees a blob whole or
not at all, and a crash leaves at most a stray temporary file. The directory is created on the
first write, so opening a store to read never creates anything.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from veritee.blobs.addressing import check_digest, sha256_hex
from veritee.blobs.store import DEFAULT_MAX_SIZE, BlobStore
from veritee.blobs.writer import COPY_CHUNK, BlobWriter
from veritee.exceptions import BlobError, BlobIntegrityError, BlobNotFound, BlobTooLarge

__all__ = ["LocalBlobStore"]

_TMP_DIR = ".tmp"


def _too_large(digest: str, size: int, limit: int) -> BlobTooLarge:
    return BlobTooLarge(f"blob {digest} is {size} bytes, above the limit of {limit} bytes")


def _integrity(digest: str, actual: str) -> BlobIntegrityError:
    return BlobIntegrityError(f"blob {digest} is corrupt: its bytes hash to {actual}")


class LocalBlobStore(BlobStore):
    """Blobs as files under ``root``; ``base_url`` is ``root``'s ``file://`` URI."""

    def __init__(self, root: Path, *, max_size: int = DEFAULT_MAX_SIZE) -> None:
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size}")
        self.root = Path(root).expanduser().resolve()
        self.max_size = max_size
        self.base_url = self.root.as_uri()

    def path(self, digest: str) -> Path:
        """Where the blob ``digest`` is (or would be) stored."""
        check_digest(digest)
        return self.root / digest[:2] / digest

    def writer(self, *, expected: str | None = None) -> BlobWriter:
        """A :class:`BlobWriter` for a new blob of this store (commit it to :meth:`path`)."""
        return BlobWriter(self.root / _TMP_DIR, max_size=self.max_size, expected=expected)

    def put(self, data: bytes) -> str:
        if len(data) > self.max_size:
            raise BlobTooLarge(
                f"blob is {len(data)} bytes, above the limit of {self.max_size} bytes"
            )
        digest = sha256_hex(data)
        target = self.path(digest)
        if self._present(target, digest, len(data)):
            return digest
        with self.writer(expected=digest) as writer:
            writer.write(data)
            return writer.commit(target)

    def put_file(self, path: Path) -> str:
        with open(path, "rb") as source, self.writer() as writer:
            while chunk := source.read(COPY_CHUNK):
                writer.write(chunk)
            target = self.path(writer.digest)
            if self._present(target, writer.digest, writer.size):
                return writer.digest
            return writer.commit(target)

    def get(self, digest: str) -> bytes:
        target = self.path(digest)
        try:
            with open(target, "rb") as source:
                size = source.seek(0, 2)
                if size > self.max_size:
                    raise _too_large(digest, size, self.max_size)
                source.seek(0)
                data = source.read(self.max_size + 1)
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {digest} in {self.base_url}") from None
        except OSError as exc:
            raise BlobError(f"blob {digest} in {self.base_url} could not be read: {exc}") from exc
        if len(data) > self.max_size:  # the file grew while it was read
            raise _too_large(digest, len(data), self.max_size)
        actual = sha256_hex(data)
        if actual != digest:
            raise _integrity(digest, actual)
        return data

    def get_to_file(self, digest: str, path: Path) -> None:
        source_path = self.path(digest)
        path = Path(path)
        try:
            source = open(source_path, "rb")  # noqa: SIM115 (closed below, after the copy)
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {digest} in {self.base_url}") from None
        with source, BlobWriter(path.parent, max_size=self.max_size, expected=digest) as writer:
            try:
                while chunk := source.read(COPY_CHUNK):
                    writer.write(chunk)
            except BlobTooLarge:
                raise _too_large(digest, source.seek(0, 2), self.max_size) from None
            try:
                writer.commit(path)
            except BlobIntegrityError:
                raise _integrity(digest, writer.digest) from None

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def _present(self, target: Path, digest: str, size: int) -> bool:
        """Whether ``target`` already holds the intact blob (then a put is a no-op).

        A damaged copy is not trusted: the put rewrites it.
        """
        try:
            with open(target, "rb") as existing:
                if existing.seek(0, 2) != size:
                    return False
                existing.seek(0)
                return hashlib.file_digest(existing, "sha256").hexdigest() == digest
        except FileNotFoundError:
            return False
