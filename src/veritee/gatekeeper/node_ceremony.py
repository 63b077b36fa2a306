"""What a gatekeeper's DKG and resharing roles share: keeping the share, signing the key.

Both ceremonies end alike on the node. The finalized share is sealed to disk at once and kept
for its epoch (:meth:`CeremonyRole._keep_share`); it becomes the active key only when the chain
publishes a matching network key. For that publication the gatekeeper signs
``NetworkKey(epoch, S, shares)`` over the key its own ceremony finalized
(:meth:`CeremonyRole._sign_finalized_key`, a :class:`NetworkKeySignature`), and ``t`` such
signatures let ``Gatekeepers.publish_key`` store the key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from veritee.chain.clients import Network
from veritee.crypto._common import Rng
from veritee.crypto.secp256k1 import Point
from veritee.crypto.threshold import KeyShare
from veritee.crypto.typed_data import network_key_digest, sign_digest
from veritee.exceptions import CeremonyError, MalformedRequest
from veritee.gatekeeper.audit import AuditLog
from veritee.gatekeeper.config import GatekeeperConfig
from veritee.gatekeeper.keystore import KeyShareStore
from veritee.gatekeeper.relayed_ceremony import RelayedCeremony
from veritee.gatekeeper.wire import address_field, hex_field, int_field

__all__ = ["CeremonyRole", "NetworkKeySignature"]


@dataclass(frozen=True)
class NetworkKeySignature:
    """A gatekeeper's signature over ``NetworkKey(epoch, S, shares)`` for ``publish_key``."""

    epoch: int
    public_key: Point
    public_shares: tuple[Point, ...]
    signature: bytes
    signer: str

    def to_json(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "public_key": "0x" + self.public_key.compressed.hex(),
            "public_shares": ["0x" + p.compressed.hex() for p in self.public_shares],
            "signature": "0x" + self.signature.hex(),
            "signer": self.signer,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> NetworkKeySignature:
        shares = obj.get("public_shares")
        if not isinstance(shares, list):
            raise MalformedRequest("field public_shares must be a list")
        try:
            return cls(
                int_field(obj, "epoch"),
                Point.from_bytes(hex_field(obj, "public_key", 33)),
                tuple(Point.from_bytes(hex_field({"p": s}, "p", 33)) for s in shares),
                hex_field(obj, "signature", 65),
                address_field(obj, "signer"),
            )
        except ValueError as exc:
            raise MalformedRequest(f"malformed network key signature: {exc}") from exc


class CeremonyRole:
    """The node's parts the ceremony roles use, and what they do alike (see the module
    docstring); mixed into :class:`~veritee.gatekeeper.node.GatekeeperNode`."""

    network: Network
    config: GatekeeperConfig
    index: int
    chain_id: int
    address: str
    audit: AuditLog
    store: KeyShareStore
    _rng: Rng
    _finalized: dict[int, KeyShare]

    def _keep_share(self, share: KeyShare, epoch: int, event: str, **details: Any) -> None:
        """Seal the finalized ``share`` of ``epoch`` to disk, keep it, and audit ``event``."""
        self.store.save(share, epoch)
        self._finalized[epoch] = share
        self.audit.append(
            event,
            step="finalized",
            epoch=epoch,
            **details,
            public_key="0x" + share.public_key.compressed.hex(),
        )

    def _sign_finalized_key(
        self, lock: threading.Lock, running: Callable[[], RelayedCeremony], ceremony_name: str
    ) -> NetworkKeySignature:
        """Our signature over ``network_key_digest(Gatekeepers domain, epoch, S, shares)`` for
        the key share the ceremony ``running()`` (under ``lock``) finalized.

        Shares are in member order, as ``(x, y)``, exactly as ``Gatekeepers.publish_key``
        hashes them. Refused while that ceremony (``ceremony_name`` in the error) is unfinished.
        """
        with lock:
            ceremony = running()
            share = ceremony.key_share
            if share is None:
                raise CeremonyError("step out of order", f"the {ceremony_name} has not finalized")
            epoch = ceremony.ceremony.epoch
        shares = tuple(share.public_shares[j] for j in range(1, share.n + 1))
        digest = network_key_digest(
            self.network.gatekeepers.domain(),
            epoch,
            share.public_key.xy,
            [point.xy for point in shares],
        )
        signature = sign_digest(self.config.signing_key, digest)
        return NetworkKeySignature(epoch, share.public_key, shares, signature, self.address)
