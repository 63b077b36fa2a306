"""The messages of a dealing round (DKG or resharing) and their versioned wire format.

A round runs inside a :class:`CeremonyContext` (chain, gatekeeper contract, epoch) and has a
32-byte session id that also fixes the parameters and the rosters; every message carries it, and
receivers drop messages of any other session, so a message replayed from another run or epoch is
refused.

Wire formats, all integers big-endian, indices as 2 bytes::

    deal       0x01 0x01 ‖ session (32) ‖ dealer ‖ k ‖ k x commitment (33)
               ‖ m ‖ m x (recipient ‖ length (4) ‖ envelope)
    complaint  0x01 0x02 ‖ session (32) ‖ complainer ‖ dealer
    reveal     0x01 0x03 ‖ session (32) ‖ dealer ‖ complainer ‖ share (32)

The transport (the chain, or the gatekeeper service over an authenticated broadcast) vouches for
who sent a message; these formats carry no signature of their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from veritee.crypto._common import address_bytes, frame, uint_bytes
from veritee.crypto.secp256k1 import N, Point
from veritee.exceptions import CryptoError, ThresholdError

__all__ = [
    "CeremonyContext",
    "Complaint",
    "DealMessage",
    "Reveal",
    "roster",
    "session_digest",
]

_VERSION = 0x01
_DEAL, _COMPLAINT, _REVEAL = 0x01, 0x02, 0x03
SESSION_ID_SIZE = 32


@dataclass(frozen=True)
class CeremonyContext:
    """Where a key ceremony runs: the chain, the gatekeeper contract and the key epoch."""

    chain_id: int
    contract: str
    epoch: int

    def __post_init__(self) -> None:
        uint_bytes(self.chain_id, name="chain_id")
        uint_bytes(self.epoch, name="epoch")
        address_bytes(self.contract)

    def encode(self) -> bytes:
        """Canonical bytes: chain id, contract address and epoch, length-prefixed."""
        return frame(
            uint_bytes(self.chain_id), address_bytes(self.contract), uint_bytes(self.epoch)
        )


def session_digest(tag: bytes, ceremony: CeremonyContext, *parts: bytes) -> bytes:
    """A 32-byte session id over a protocol tag, the ceremony and the round's public parameters."""
    return hashlib.sha256(frame(tag, ceremony.encode(), *parts)).digest()


def roster(keys: Mapping[int, bytes], size: int) -> dict[int, bytes]:
    """``keys`` (index -> X25519 public key) in index order; it must cover exactly 1..size."""
    if set(keys) != set(range(1, size + 1)):
        raise ValueError(f"the roster must hold an X25519 key for each index 1..{size}")
    if any(len(key) != 32 for key in keys.values()):
        raise ValueError("X25519 public keys are 32 bytes")
    return {j: bytes(keys[j]) for j in range(1, size + 1)}


def _check_session(session_id: bytes) -> None:
    if len(session_id) != SESSION_ID_SIZE:
        raise ValueError(f"a session id is {SESSION_ID_SIZE} bytes")


def _u16(value: int) -> bytes:
    return uint_bytes(value, 2, name="index")


class _Reader:
    """Cursor over a message; every shortfall is a ThresholdError."""

    def __init__(self, data: bytes, kind: int, name: str) -> None:
        self.data, self.pos, self.name = bytes(data), 0, name
        if self.take(2) != bytes((_VERSION, kind)):
            raise ThresholdError(f"{name}: not a version-1 {name} message")

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise ThresholdError(f"{self.name}: message truncated")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def int(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def finish(self) -> None:
        if self.pos != len(self.data):
            raise ThresholdError(f"{self.name}: trailing bytes")


@dataclass(frozen=True)
class DealMessage:
    """A dealer's broadcast: Feldman commitments and one sealed share per recipient."""

    session_id: bytes
    dealer: int
    commitments: tuple[Point, ...]
    encrypted_shares: Mapping[int, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        _check_session(self.session_id)
        object.__setattr__(self, "encrypted_shares", MappingProxyType(dict(self.encrypted_shares)))

    def to_bytes(self) -> bytes:
        """The versioned wire encoding (recipients in ascending order)."""
        out = bytearray((_VERSION, _DEAL))
        out += self.session_id + _u16(self.dealer) + _u16(len(self.commitments))
        for point in self.commitments:
            out += point.compressed
        out += _u16(len(self.encrypted_shares))
        for recipient in sorted(self.encrypted_shares):
            envelope = self.encrypted_shares[recipient]
            out += _u16(recipient) + uint_bytes(len(envelope), 4) + envelope
        return bytes(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> DealMessage:
        """Parse :meth:`to_bytes` output; raises ThresholdError if malformed."""
        reader = _Reader(data, _DEAL, "deal")
        session, dealer = reader.take(SESSION_ID_SIZE), reader.int(2)
        try:
            commitments = tuple(Point.from_bytes(reader.take(33)) for _ in range(reader.int(2)))
        except CryptoError as exc:
            raise ThresholdError("deal: a commitment is not a curve point") from exc
        shares: dict[int, bytes] = {}
        for _ in range(reader.int(2)):
            recipient = reader.int(2)
            if recipient in shares:
                raise ThresholdError("deal: two shares for one recipient")
            shares[recipient] = reader.take(reader.int(4))
        reader.finish()
        return cls(session, dealer, commitments, shares)


@dataclass(frozen=True)
class Complaint:
    """``complainer`` says the share ``dealer`` sent it is missing, unreadable or wrong."""

    session_id: bytes
    complainer: int
    dealer: int

    def __post_init__(self) -> None:
        _check_session(self.session_id)

    def to_bytes(self) -> bytes:
        """The versioned wire encoding."""
        head = bytes((_VERSION, _COMPLAINT)) + self.session_id
        return head + _u16(self.complainer) + _u16(self.dealer)

    @classmethod
    def from_bytes(cls, data: bytes) -> Complaint:
        """Parse :meth:`to_bytes` output; raises ThresholdError if malformed."""
        reader = _Reader(data, _COMPLAINT, "complaint")
        message = cls(reader.take(SESSION_ID_SIZE), reader.int(2), reader.int(2))
        reader.finish()
        return message


@dataclass(frozen=True)
class Reveal:
    """The dealer's answer to a complaint: the disputed share, in the clear, for all to check."""

    session_id: bytes
    dealer: int
    complainer: int
    share: int

    def __post_init__(self) -> None:
        _check_session(self.session_id)

    def to_bytes(self) -> bytes:
        """The versioned wire encoding."""
        head = bytes((_VERSION, _REVEAL)) + self.session_id
        return head + _u16(self.dealer) + _u16(self.complainer) + uint_bytes(self.share % N)

    @classmethod
    def from_bytes(cls, data: bytes) -> Reveal:
        """Parse :meth:`to_bytes` output; raises ThresholdError if malformed."""
        reader = _Reader(data, _REVEAL, "reveal")
        message = cls(reader.take(SESSION_ID_SIZE), reader.int(2), reader.int(2), reader.int(32))
        reader.finish()
        return message
