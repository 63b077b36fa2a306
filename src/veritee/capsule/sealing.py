"""Sealing data into a capsule: a fresh data key sealed to the network key, then the chunks.

The data owner's side: :func:`seal_capsule_key` draws ``R`` and the data key (``r·S``, so only
``t`` gatekeepers together can recover it), the header records ``R`` with the chain and the
Capsules contract, and the chunk layer encrypts the content under a key bound to that header.
The data key is used and dropped; the owner keeps nothing secret. The result is addressed by
the SHA-256 of the whole capsule file, computed while it is written.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from veritee.capsule.chunks import ChunkCipher, seal_chunks
from veritee.capsule.files import atomic_output
from veritee.capsule.header import (
    CAPSULE_VERSION,
    DEFAULT_CHUNK_SIZE,
    SALT_SIZE,
    AeadSuite,
    CapsuleHeader,
)
from veritee.crypto._common import Rng, default_rng
from veritee.crypto.secp256k1 import Point
from veritee.crypto.threshold import seal_capsule_key

__all__ = ["SealedCapsule", "seal_bytes", "seal_file", "seal_stream"]


@dataclass(frozen=True)
class SealedCapsule:
    """What sealing produced: the capsule's address and sizes, and its header."""

    ciphertext_sha256: bytes
    size: int
    plaintext_size: int
    header: CapsuleHeader

    @property
    def r(self) -> Point:
        """The ephemeral point to register on-chain with the capsule."""
        return self.header.r

    @property
    def digest(self) -> str:
        """The capsule's blob address: the hex SHA-256 of the whole file."""
        return self.ciphertext_sha256.hex()


class _HashingSink:
    """Passes writes on to ``out`` while hashing and counting them."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self._out.write(data)


def seal_stream(
    source: BinaryIO,
    sink: BinaryIO,
    *,
    network_key: Point | tuple[int, int],
    chain_id: int,
    capsules: str,
    content_type: str = "application/octet-stream",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    suite: AeadSuite = AeadSuite.CHACHA20_POLY1305,
    rng: Rng = default_rng,
) -> SealedCapsule:
    """Seal everything ``source`` yields into ``sink``, in constant memory.

    ``network_key`` is the network's ``S``, a Point or the ``(x, y)`` that
    ``GatekeepersClient.network_key()`` returns; ``capsules`` is the Capsules contract the capsule
    will be registered with on chain ``chain_id``: a capsule registered elsewhere cannot be
    opened. Raises ValueError for an invalid chunk size, content type or address.
    """
    if not isinstance(network_key, Point):
        network_key = Point.from_xy(*network_key)
    r, data_key, _ = seal_capsule_key(network_key, chain_id, capsules, rng=rng)
    header = CapsuleHeader(
        version=CAPSULE_VERSION,
        suite=AeadSuite(suite),
        chunk_size=chunk_size,
        r=r,
        chain_id=chain_id,
        contract=capsules,
        salt=rng(SALT_SIZE),
        content_type=content_type,
    )
    header_bytes = header.encode()
    cipher = ChunkCipher(data_key, header, header_bytes)
    hashing = _HashingSink(sink)
    hashing.write(header_bytes)
    plaintext_size = seal_chunks(source, hashing, cipher, chunk_size)
    return SealedCapsule(hashing.hash.digest(), hashing.size, plaintext_size, header)


def seal_file(
    src: Path,
    dst: Path,
    *,
    network_key: Point | tuple[int, int],
    chain_id: int,
    capsules: str,
    content_type: str = "application/octet-stream",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    suite: AeadSuite = AeadSuite.CHACHA20_POLY1305,
    rng: Rng = default_rng,
) -> SealedCapsule:
    """Seal the file ``src`` into the capsule file ``dst`` (written atomically), streaming.

    See :func:`seal_stream`. ``dst`` appears only once the whole capsule is written.
    """
    with open(src, "rb") as source, atomic_output(Path(dst)) as sink:
        return seal_stream(
            source,
            sink,
            network_key=network_key,
            chain_id=chain_id,
            capsules=capsules,
            content_type=content_type,
            chunk_size=chunk_size,
            suite=suite,
            rng=rng,
        )


def seal_bytes(
    data: bytes,
    *,
    network_key: Point | tuple[int, int],
    chain_id: int,
    capsules: str,
    content_type: str = "application/octet-stream",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    suite: AeadSuite = AeadSuite.CHACHA20_POLY1305,
    rng: Rng = default_rng,
) -> tuple[bytes, SealedCapsule]:
    """Seal ``data`` in memory; returns the capsule's bytes and its description."""
    sink = io.BytesIO()
    sealed = seal_stream(
        io.BytesIO(data),
        sink,
        network_key=network_key,
        chain_id=chain_id,
        capsules=capsules,
        content_type=content_type,
        chunk_size=chunk_size,
        suite=suite,
        rng=rng,
    )
    return sink.getvalue(), sealed
