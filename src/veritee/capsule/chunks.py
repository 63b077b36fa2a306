"""The chunk layer of Capsules v1: a STREAM-style online AEAD over a capsule's plaintext.

Content key and nonce prefix::

    okm = HKDF-SHA256(ikm = data_key, salt = header.salt,
                      info = frame("veritee/capsule/v1/content", header bytes), length = 39)
    key = okm[0:32]        nonce prefix = okm[32:39]

The plaintext is cut into chunks of ``chunk_size`` bytes; the last chunk holds the rest (0 to
``chunk_size`` bytes, so an empty plaintext is one empty last chunk, and a plaintext that fills
its chunks exactly ends with a full last chunk). Chunk ``i`` is sealed with the nonce::

    prefix (7) ‖ i as uint32 big-endian (4) ‖ 0x01 if it is the last chunk else 0x00 (1)

and no associated data. Since the counter orders the chunks and only the final one opens with
the last flag, a reordered, duplicated, dropped, truncated or extended capsule fails to open;
since every header byte is in the key derivation, so does a capsule with any header change.
Every failure raises the same opaque :class:`~veritee.exceptions.DecryptionError`.
"""

from __future__ import annotations

from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from veritee.capsule.files import read_exact
from veritee.capsule.header import AeadSuite, CapsuleHeader
from veritee.crypto._common import frame
from veritee.exceptions import DecryptionError

__all__ = ["MAX_CHUNKS", "TAG_SIZE", "ChunkCipher", "Sink", "open_chunks", "seal_chunks"]

TAG_SIZE = 16
MAX_CHUNKS = 1 << 32
_KEY_SIZE = 32
_PREFIX_SIZE = 7
_KDF_TAG = b"veritee/capsule/v1/content"
_OPAQUE = "capsule could not be opened"


class Sink(Protocol):
    """Where chunks go: anything with a binary ``write`` (a file, a hashing wrapper)."""

    def write(self, data: bytes, /) -> int: ...


class ChunkCipher:
    """The AEAD of one capsule: the content key, bound to the whole header, and the nonces."""

    def __init__(self, data_key: bytes, header: CapsuleHeader, header_bytes: bytes) -> None:
        if len(data_key) != 32:
            raise ValueError(f"a capsule data key is 32 bytes, got {len(data_key)}")
        okm = HKDF(
            algorithm=hashes.SHA256(),
            length=_KEY_SIZE + _PREFIX_SIZE,
            salt=header.salt,
            info=frame(_KDF_TAG, header_bytes),
        ).derive(data_key)
        key, self._prefix = okm[:_KEY_SIZE], okm[_KEY_SIZE:]
        self._aead: AESGCM | ChaCha20Poly1305 = (
            AESGCM(key) if header.suite == AeadSuite.AES256_GCM else ChaCha20Poly1305(key)
        )

    def _nonce(self, index: int, last: bool) -> bytes:
        return self._prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")

    def seal(self, index: int, chunk: bytes, last: bool) -> bytes:
        """Chunk ``index``'s ciphertext (tag included)."""
        if index >= MAX_CHUNKS:
            raise ValueError(f"a capsule holds at most {MAX_CHUNKS} chunks")
        return self._aead.encrypt(self._nonce(index, last), chunk, None)

    def open(self, index: int, segment: bytes, last: bool) -> bytes:
        """Chunk ``index``'s plaintext; raises DecryptionError if it does not authenticate."""
        if index >= MAX_CHUNKS or len(segment) < TAG_SIZE:
            raise DecryptionError(_OPAQUE)
        try:
            return self._aead.decrypt(self._nonce(index, last), segment, None)
        except InvalidTag:
            raise DecryptionError(_OPAQUE) from None


def seal_chunks(source: BinaryIO, sink: Sink, cipher: ChunkCipher, chunk_size: int) -> int:
    """Seal all of ``source`` into ``sink``, a chunk at a time; returns the plaintext size.

    Reads one chunk ahead to know which chunk is the last; memory stays near two chunks.
    """
    current = read_exact(source, chunk_size)
    index = total = 0
    while True:
        following = read_exact(source, chunk_size) if len(current) == chunk_size else b""
        last = not following
        sink.write(cipher.seal(index, current, last))
        total += len(current)
        if last:
            return total
        current = following
        index += 1


def open_chunks(source: BinaryIO, sink: Sink, cipher: ChunkCipher, chunk_size: int) -> int:
    """Open every chunk of ``source`` into ``sink``; returns the plaintext size.

    ``sink`` receives each chunk once it authenticates, before the later ones are checked:
    write to a temporary place and keep it only if this returns. Raises DecryptionError.
    """
    segment_size = chunk_size + TAG_SIZE
    current = read_exact(source, segment_size)
    index = total = 0
    while True:
        following = read_exact(source, segment_size) if len(current) == segment_size else b""
        last = not following
        plaintext = cipher.open(index, current, last)
        sink.write(plaintext)
        total += len(plaintext)
        if last:
            return total
        current = following
        index += 1
