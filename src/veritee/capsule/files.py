"""File plumbing for capsules: exact reads from a stream, and all-or-nothing output files.

:func:`atomic_output` writes to a temporary file beside the destination and renames it into
place only when the block succeeds (after an fsync); on any exception the temporary file is
removed and the destination is untouched. Opening a capsule writes plaintext there before the
last chunk is authenticated, so this is what keeps a failed open from leaving anything behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_output", "read_exact"]


def read_exact(stream: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes, or fewer only at the end of the stream (short reads are retried)."""
    data = stream.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    remaining = size - len(data)
    while remaining:
        more = stream.read(remaining)
        if not more:
            break
        parts.append(more)
        remaining -= len(more)
    return b"".join(parts)


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A writable binary file that becomes ``path`` only if the ``with`` block succeeds."""
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
