"""Opening a capsule with its data key: parse the header, then authenticate every chunk.

The data key comes from the gatekeepers (``data_key_from_shares`` with the context
``header.context``), or, for the owner who still holds ``r``, from ``r·S``. A malformed header
or an unknown version raises :class:`~veritee.exceptions.CapsuleFormatError`; everything after
the header (wrong key, wrong ``R``, any changed, moved, missing or extra byte) raises the one
opaque :class:`~veritee.exceptions.DecryptionError`. No plaintext is returned or left in a file
unless the whole capsule authenticated.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from veritee.capsule.chunks import ChunkCipher, open_chunks
from veritee.capsule.files import atomic_output
from veritee.capsule.header import CapsuleHeader, read_header_from

__all__ = ["open_bytes", "open_file", "open_stream"]


def open_stream(source: BinaryIO, sink: BinaryIO, data_key: bytes) -> CapsuleHeader:
    """Open the capsule read from ``source`` into ``sink``; returns its header.

    ``sink`` gets plaintext chunk by chunk, before the end is authenticated: keep what it got
    only if this returns (:func:`open_file` and :func:`open_bytes` do that for you).
    """
    header, header_bytes = read_header_from(source)
    cipher = ChunkCipher(data_key, header, header_bytes)
    open_chunks(source, sink, cipher, header.chunk_size)
    return header


def open_file(src: Path, dst: Path, data_key: bytes) -> CapsuleHeader:
    """Open the capsule file ``src`` into ``dst``, streaming; returns the capsule's header.

    ``dst`` appears (atomically) only if every chunk authenticated; on failure nothing is left.
    """
    with open(src, "rb") as source, atomic_output(Path(dst)) as sink:
        return open_stream(source, sink, data_key)


def open_bytes(data: bytes, data_key: bytes) -> bytes:
    """The plaintext of the capsule ``data``."""
    sink = io.BytesIO()
    open_stream(io.BytesIO(data), sink, data_key)
    return sink.getvalue()
