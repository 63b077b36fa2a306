"""The blob store interface: content-addressed, verified on every read.

A blob's address is the lowercase hex SHA-256 of its bytes. Stores are untrusted: every read
re-hashes what it got and raises :class:`~veritee.exceptions.BlobIntegrityError` on a mismatch,
so a store can lose a blob (:class:`~veritee.exceptions.BlobNotFound`) but never substitute one.
Reads and writes are capped at ``max_size`` bytes (:class:`~veritee.exceptions.BlobTooLarge`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Self

from veritee.blobs.addressing import check_digest

__all__ = ["DEFAULT_MAX_SIZE", "BlobStore"]

DEFAULT_MAX_SIZE = 1 << 30
"""The default size limit of one blob: 1 GiB."""


class BlobStore(ABC):
    """A content-addressed blob store. ``base_url`` names it: ``uri(d) == f"{base_url}/{d}"``."""

    base_url: str
    max_size: int

    @abstractmethod
    def put(self, data: bytes) -> str:
        """Store ``data``; returns its hex SHA-256. Storing the same bytes twice is a no-op."""

    @abstractmethod
    def put_file(self, path: Path) -> str:
        """Store the file at ``path``, streamed in constant memory; returns its hex SHA-256."""

    @abstractmethod
    def get(self, digest: str) -> bytes:
        """The bytes whose SHA-256 is ``digest``, verified.

        Raises BlobNotFound, BlobIntegrityError (the store returned other bytes) or BlobTooLarge.
        """

    @abstractmethod
    def get_to_file(self, digest: str, path: Path) -> None:
        """Write the blob ``digest`` to ``path``, streamed and verified.

        ``path`` appears (atomically) only once every byte has been checked; on any failure
        nothing is left there and the errors are those of :meth:`get`.
        """

    @abstractmethod
    def has(self, digest: str) -> bool:
        """Whether the store holds a blob at ``digest`` (not verified: :meth:`get` checks)."""

    def uri(self, digest: str) -> str:
        """The blob's URI, ``f"{base_url}/{digest}"``; raises BlobError for a malformed digest."""
        return f"{self.base_url}/{check_digest(digest)}"

    def close(self) -> None:
        """Release connections or handles the store holds (a no-op for most stores)."""
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"
