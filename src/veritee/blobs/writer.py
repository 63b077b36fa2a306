"""Writing one blob to disk: streamed, hashed on the fly, size-capped, verified, atomic.

Every path that lands bytes in a file (a local put, a server's PUT body, a client's download)
goes through :class:`BlobWriter`: the bytes go to a fresh temporary file next to the target, the
SHA-256 and the size are computed as they arrive, and only :meth:`BlobWriter.commit` makes the
file visible, after an fsync, with an atomic rename. Any failure (too large, wrong hash, an I/O
error, an exception in the caller) removes the temporary file, so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from veritee.exceptions import BlobIntegrityError, BlobTooLarge

__all__ = ["COPY_CHUNK", "BlobWriter", "fsync_directory"]

COPY_CHUNK = 1 << 20
"""The read size for streaming copies: memory use stays near this, whatever the blob size."""


def fsync_directory(directory: Path) -> None:
    """Flush a directory entry (a rename into it) to disk, where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a directory; the rename itself is still atomic
    finally:
        os.close(fd)


class BlobWriter:
    """Streams a blob into a temporary file in ``tmp_dir``, then commits it to its place.

    ``expected`` (hex) makes :meth:`commit` refuse bytes that hash to anything else;
    ``max_size`` makes :meth:`write` refuse to go beyond that many bytes. Use it as a context
    manager: leaving the block without a commit discards the temporary file.
    """

    def __init__(self, tmp_dir: Path, *, max_size: int, expected: str | None = None) -> None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=".blob-", suffix=".part")
        self._file = os.fdopen(fd, "wb")
        self._tmp = Path(name)
        self._hash = hashlib.sha256()
        self._max_size = max_size
        self._expected = expected
        self._done = False
        self.size = 0

    @property
    def digest(self) -> str:
        """The hex SHA-256 of what was written so far."""
        return self._hash.hexdigest()

    def write(self, chunk: bytes) -> None:
        """Append ``chunk``; raises BlobTooLarge once the total passes ``max_size``."""
        self.size += len(chunk)
        if self.size > self._max_size:
            raise BlobTooLarge(
                f"blob is larger than the limit of {self._max_size} bytes "
                f"({self.size} bytes received so far)"
            )
        self._hash.update(chunk)
        self._file.write(chunk)

    def commit(self, target: Path) -> str:
        """Verify, fsync and atomically rename the blob to ``target``; returns its hex digest.

        Raises BlobIntegrityError (and discards the bytes) if they do not hash to ``expected``.
        An existing ``target`` is replaced.
        """
        digest = self.digest
        try:
            if self._expected is not None and digest != self._expected:
                raise BlobIntegrityError(
                    f"blob bytes hash to {digest}, not to the address {self._expected} "
                    "they were sent for"
                )
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._tmp, target)
        except BaseException:
            self.discard()
            raise
        self._done = True
        fsync_directory(target.parent)
        return digest

    def discard(self) -> None:
        """Close and remove the temporary file (a no-op after a commit or a discard)."""
        if self._done:
            return
        self._done = True
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()
