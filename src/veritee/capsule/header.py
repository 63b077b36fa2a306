"""The capsule header (Capsules v1): what a capsule is sealed to and how it is chunked.

Byte layout (all integers big-endian; docs/capsules.md has the whole format)::

    offset  size  field
    0       4     magic, b"VTCP"
    4       1     version, 0x01
    5       1     AEAD suite: 0x03 ChaCha20-Poly1305, 0x02 AES-256-GCM
    6       4     chunk size in plaintext bytes, 64 .. 16 MiB
    10      33    R, the threshold-ECIES ephemeral point, SEC1 compressed
    43      32    chain id (uint256)
    75      20    the Capsules contract address
    95      32    salt (random)
    127     2     content-type length L, 0 .. 1024
    129     L     content type, UTF-8 (public metadata: not encrypted)

The header is in the clear, but every byte of it is bound into the content key (see
:mod:`veritee.capsule.chunks`), so changing any of it makes every chunk fail to open. Parsing is
strict and canonical: one header has exactly one encoding.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import BinaryIO

from eth_utils import to_checksum_address

from veritee.capsule.files import read_exact
from veritee.crypto.secp256k1 import Point
from veritee.crypto.threshold import CapsuleContext
from veritee.exceptions import CapsuleFormatError, CryptoError

__all__ = [
    "CAPSULE_VERSION",
    "DEFAULT_CHUNK_SIZE",
    "FIXED_HEADER_SIZE",
    "MAGIC",
    "MAX_CHUNK_SIZE",
    "MAX_CONTENT_TYPE",
    "MAX_HEADER_SIZE",
    "MIN_CHUNK_SIZE",
    "SALT_SIZE",
    "AeadSuite",
    "CapsuleHeader",
    "read_header",
    "read_header_from",
]

MAGIC = b"VTCP"
CAPSULE_VERSION = 1
MIN_CHUNK_SIZE = 64
MAX_CHUNK_SIZE = 1 << 24
DEFAULT_CHUNK_SIZE = 1 << 16
SALT_SIZE = 32
MAX_CONTENT_TYPE = 1024
_FIXED = struct.Struct(">4sBBI33s32s20s32sH")
FIXED_HEADER_SIZE = _FIXED.size
MAX_HEADER_SIZE = FIXED_HEADER_SIZE + MAX_CONTENT_TYPE


class AeadSuite(IntEnum):
    """The chunks' AEAD; the values are the RFC 9180 AEAD ids' low bytes, as in envelopes."""

    AES256_GCM = 0x02
    CHACHA20_POLY1305 = 0x03


@dataclass(frozen=True)
class CapsuleHeader:
    """A capsule's header. Construction validates (ValueError); :meth:`parse` raises
    CapsuleFormatError. ``contract`` is normalised to its checksummed spelling."""

    version: int
    suite: int
    chunk_size: int
    r: Point
    chain_id: int
    contract: str
    salt: bytes
    content_type: str

    def __post_init__(self) -> None:
        if self.version != CAPSULE_VERSION:
            raise ValueError(f"unsupported capsule version {self.version}")
        if self.suite not in tuple(AeadSuite):
            raise ValueError(f"unknown capsule AEAD suite {self.suite:#04x}")
        if not MIN_CHUNK_SIZE <= self.chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(
                f"capsule chunk size {self.chunk_size} is outside "
                f"{MIN_CHUNK_SIZE}..{MAX_CHUNK_SIZE} bytes"
            )
        if not isinstance(self.r, Point):
            raise ValueError("a capsule's R is a secp256k1 Point")
        if not 0 <= self.chain_id < 1 << 256:
            raise ValueError(f"chain id {self.chain_id} is not a uint256")
        try:
            object.__setattr__(self, "contract", to_checksum_address(self.contract))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"capsule contract {self.contract!r} is not an address") from exc
        if not isinstance(self.salt, bytes) or len(self.salt) != SALT_SIZE:
            raise ValueError(f"a capsule salt is {SALT_SIZE} bytes")
        if len(self.content_type.encode("utf-8")) > MAX_CONTENT_TYPE:
            raise ValueError(f"capsule content type is longer than {MAX_CONTENT_TYPE} bytes")

    @property
    def context(self) -> CapsuleContext:
        """The threshold context gatekeepers and workers rebuild from the on-chain ``R``."""
        return CapsuleContext.for_ephemeral(self.r, self.chain_id, self.contract)

    def encode(self) -> bytes:
        """The header's bytes, as they start the capsule."""
        content_type = self.content_type.encode("utf-8")
        fixed = _FIXED.pack(
            MAGIC,
            self.version,
            self.suite,
            self.chunk_size,
            self.r.compressed,
            self.chain_id.to_bytes(32, "big"),
            bytes.fromhex(self.contract[2:]),
            self.salt,
            len(content_type),
        )
        return fixed + content_type

    @classmethod
    def parse(cls, data: bytes) -> tuple[CapsuleHeader, int]:
        """Parse the header at the start of ``data``; returns it and its length in bytes.

        ``data`` may continue past the header (the chunks). Raises CapsuleFormatError naming the
        problem: not a capsule, an unknown version, a truncated or malformed field.
        """
        data = bytes(data[:MAX_HEADER_SIZE])
        if len(data) < len(MAGIC) + 1 or data[: len(MAGIC)] != MAGIC:
            if len(data) < len(MAGIC) + 1 and MAGIC.startswith(data[: len(MAGIC)]):
                raise CapsuleFormatError(f"capsule header truncated: {len(data)} bytes")
            raise CapsuleFormatError("not a veritee capsule: the magic bytes are wrong")
        if data[len(MAGIC)] != CAPSULE_VERSION:
            raise CapsuleFormatError(
                f"unsupported capsule version {data[len(MAGIC)]}; this build reads version "
                f"{CAPSULE_VERSION}"
            )
        if len(data) < FIXED_HEADER_SIZE:
            raise CapsuleFormatError(
                f"capsule header truncated: {len(data)} bytes, need {FIXED_HEADER_SIZE}"
            )
        _, version, suite, chunk_size, r, chain_id, contract, salt, type_len = _FIXED.unpack(
            data[:FIXED_HEADER_SIZE]
        )
        if type_len > MAX_CONTENT_TYPE:
            raise CapsuleFormatError(
                f"capsule content type is {type_len} bytes, above the limit of {MAX_CONTENT_TYPE}"
            )
        end = FIXED_HEADER_SIZE + type_len
        if len(data) < end:
            raise CapsuleFormatError(
                f"capsule header truncated: {len(data)} bytes, need {end} with its content type"
            )
        try:
            point = Point.from_bytes(r)
        except CryptoError:
            raise CapsuleFormatError("capsule header: R is not a secp256k1 point") from None
        try:
            content_type = data[FIXED_HEADER_SIZE:end].decode("utf-8")
        except UnicodeDecodeError:
            raise CapsuleFormatError("capsule header: the content type is not UTF-8") from None
        try:
            header = cls(
                version=version,
                suite=suite,
                chunk_size=chunk_size,
                r=point,
                chain_id=int.from_bytes(chain_id, "big"),
                contract="0x" + contract.hex(),
                salt=salt,
                content_type=content_type,
            )
        except ValueError as exc:
            raise CapsuleFormatError(f"capsule header: {exc}") from None
        return header, end


def read_header_from(stream: BinaryIO) -> tuple[CapsuleHeader, bytes]:
    """Read exactly the header from ``stream``; returns it and its raw bytes."""
    raw = read_exact(stream, FIXED_HEADER_SIZE)
    if len(raw) == FIXED_HEADER_SIZE:
        type_len = int.from_bytes(raw[-2:], "big")
        raw += read_exact(stream, min(type_len, MAX_CONTENT_TYPE))
    header, _ = CapsuleHeader.parse(raw)  # names any problem: magic, version, truncation
    return header, raw


def read_header(path_or_bytes: Path | bytes | str | os.PathLike[str]) -> CapsuleHeader:
    """The header of a capsule file (reading only the header) or of a capsule's bytes."""
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        return CapsuleHeader.parse(bytes(path_or_bytes))[0]
    with open(path_or_bytes, "rb") as stream:
        return read_header_from(stream)[0]
