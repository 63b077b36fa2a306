"""Signed DKG messages: the authenticated broadcast the threshold ceremony assumes.

The DKG's deals, complaints and reveals carry no signature of their own (see
:mod:`veritee.crypto.threshold.messages`); gatekeepers exchange them through an untrusted relay.
So every message travels in a :class:`SignedDkgMessage`: the sender's secp256k1 key signs the
EIP-712 struct ::

    DkgMessage(uint256 epoch,bytes32 session,uint16 sender,uint8 kind,bytes32 payloadHash)

in the domain ``("veritee Gatekeeper DKG", "1", chain id, Gatekeepers contract)``, and receivers
check the signer against the on-chain member at index ``sender``. The relay can drop or delay
messages, never forge or alter one; views (signed digests of what each party received) let the
parties check that the relay showed everyone the same messages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from veritee.crypto._common import frame
from veritee.crypto.typed_data import Domain, recover_digest, sign_digest
from veritee.exceptions import CeremonyError, SignatureError

__all__ = ["DKG_MESSAGE_TYPE", "DkgKind", "SignedDkgMessage", "dkg_domain", "transcript_digest"]

DKG_MESSAGE_TYPE = (
    "DkgMessage(uint256 epoch,bytes32 session,uint16 sender,uint8 kind,bytes32 payloadHash)"
)
_NO_SESSION = bytes(32)


class DkgKind(IntEnum):
    """What a signed message carries."""

    ANNOUNCE = 1  # the sender's X25519 key for this epoch (before there is a session)
    DEAL = 2
    COMPLAINT = 3
    REVEAL = 4
    VIEW = 5  # a digest of the messages the sender received in a step


def dkg_domain(chain_id: int, gatekeepers_contract: str) -> Domain:
    """DKG messages are signed in the Gatekeepers contract's domain, under a distinct name."""
    return Domain("veritee Gatekeeper DKG", "1", chain_id, gatekeepers_contract)


@dataclass(frozen=True)
class SignedDkgMessage:
    """A DKG message (``payload``: its wire bytes) signed by gatekeeper ``sender``."""

    kind: DkgKind
    epoch: int
    session: bytes
    sender: int
    payload: bytes
    signature: bytes

    def digest(self, domain: Domain) -> bytes:
        """The EIP-712 digest the sender signs."""
        struct_hash = keccak(
            encode(
                ["bytes32", "uint256", "bytes32", "uint16", "uint8", "bytes32"],
                [
                    keccak(text=DKG_MESSAGE_TYPE),
                    self.epoch,
                    self.session,
                    self.sender,
                    int(self.kind),
                    keccak(self.payload),
                ],
            )
        )
        return domain.digest(struct_hash)

    @classmethod
    def sign(
        cls,
        key: bytes,
        domain: Domain,
        *,
        kind: DkgKind,
        epoch: int,
        sender: int,
        payload: bytes,
        session: bytes = _NO_SESSION,
    ) -> SignedDkgMessage:
        """Sign ``payload`` as gatekeeper ``sender``."""
        unsigned = cls(DkgKind(kind), epoch, session, sender, payload, b"")
        return cls(kind, epoch, session, sender, payload, sign_digest(key, unsigned.digest(domain)))

    def verify(
        self,
        domain: Domain,
        members: Sequence[str],
        *,
        kind: DkgKind,
        epoch: int,
        session: bytes = _NO_SESSION,
    ) -> None:
        """Raise unless this is a ``kind`` message of this epoch and session, signed by its sender.

        The signer must be ``members[sender - 1]`` (the on-chain gatekeeper at that index).
        Raises :class:`SignatureError` for a bad signature and :class:`CeremonyError` for a
        message of another kind, epoch, session or an index outside the set.
        """
        if self.kind != kind:
            raise CeremonyError(
                "wrong message kind", f"expected a {kind.name}, got {self.kind.name}"
            )
        if self.epoch != epoch or self.session != session:
            raise CeremonyError(
                "message of another ceremony",
                f"{kind.name.lower()} from {self.sender} belongs to another epoch or session",
            )
        if not 1 <= self.sender <= len(members):
            raise CeremonyError("unknown sender", f"sender index {self.sender} is not a member")
        signer = recover_digest(self.digest(domain), self.signature)
        if signer != to_checksum_address(members[self.sender - 1]):
            raise SignatureError(
                f"{kind.name.lower()} claims to be from gatekeeper {self.sender} but is signed "
                f"by {signer}"
            )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (bytes as 0x-hex)."""
        return {
            "kind": int(self.kind),
            "epoch": self.epoch,
            "session": "0x" + self.session.hex(),
            "sender": self.sender,
            "payload": "0x" + self.payload.hex(),
            "signature": "0x" + self.signature.hex(),
        }

    @classmethod
    def from_json(cls, value: Any) -> SignedDkgMessage:
        """Parse :meth:`to_json` output; raises ValueError if malformed."""
        if not isinstance(value, dict):
            raise ValueError("a DKG message is a JSON object")
        try:
            session = bytes.fromhex(str(value["session"]).removeprefix("0x"))
            message = cls(
                DkgKind(int(value["kind"])),
                int(value["epoch"]),
                session,
                int(value["sender"]),
                bytes.fromhex(str(value["payload"]).removeprefix("0x")),
                bytes.fromhex(str(value["signature"]).removeprefix("0x")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed DKG message: {exc}") from exc
        if len(message.session) != 32 or message.epoch < 0 or not 0 < message.sender < 1 << 16:
            raise ValueError("malformed DKG message: bad session, epoch or sender")
        return message


def transcript_digest(tag: bytes, messages: Iterable[SignedDkgMessage]) -> bytes:
    """A digest of a set of messages, independent of the order they arrived in."""
    parts = sorted(
        hashlib.sha256(m.payload).digest() + m.sender.to_bytes(2, "big") for m in messages
    )
    return hashlib.sha256(frame(tag, *parts)).digest()
