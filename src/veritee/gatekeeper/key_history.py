"""The network key a resharing starts from, as the chain recorded it.

``Gatekeepers.set_gatekeepers`` bumps the epoch and clears the published shares but keeps the
network key ``S``; the new set must then publish shares of that same key. What the new members
check their shares against (the old threshold, ``S`` and the old public shares ``S_i``) is no
longer in the contract's storage, so it is read from its events: the last
``NetworkKeyPublished`` and the ``GatekeepersChanged`` that installed the set which published it.
Neither the relay nor any gatekeeper is trusted for these facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eth_utils import to_checksum_address

from veritee.chain.clients import GatekeepersClient
from veritee.crypto.secp256k1 import Point
from veritee.crypto.threshold import KeyShare
from veritee.exceptions import CeremonyError, CryptoError

__all__ = ["PublishedKey", "reshare_source"]


@dataclass(frozen=True)
class PublishedKey:
    """A network key as published in ``epoch`` by ``members`` with threshold ``threshold``."""

    epoch: int
    members: tuple[str, ...]
    threshold: int
    public_key: Point
    public_shares: Mapping[int, Point]

    def index_of(self, address: str) -> int | None:
        """The 1-based index ``address`` held in this set, or None."""
        address = to_checksum_address(address)
        return self.members.index(address) + 1 if address in self.members else None

    def matches(self, share: KeyShare) -> bool:
        """Whether ``share`` is a share of this publication (same key, threshold, shares)."""
        return (
            share.t == self.threshold
            and share.public_key == self.public_key
            and dict(share.public_shares) == dict(self.public_shares)
        )


def _point(value: object) -> Point:
    if not isinstance(value, dict):
        raise CeremonyError("unreadable key history", "a published point is not an (x, y) pair")
    try:
        return Point.from_xy(int(value["x"]), int(value["y"]))
    except (KeyError, TypeError, ValueError, CryptoError) as exc:
        raise CeremonyError("unreadable key history", f"a published point: {exc}") from exc


def reshare_source(gatekeepers: GatekeepersClient) -> PublishedKey:
    """The published key the current (new) gatekeeper set must reshare.

    Raises :class:`CeremonyError` when there is nothing to reshare: the current epoch already
    has its key published (set the new set on-chain first), there is no network key (run a
    DKG), or the events do not account for the stored key.
    """
    epoch = gatekeepers.epoch()
    if gatekeepers.key_published():
        raise CeremonyError(
            "key already published",
            f"epoch {epoch} already has its key published: set the new gatekeeper set on-chain "
            "(Gatekeepers.set_gatekeepers) before resharing",
        )
    stored = gatekeepers.network_key()
    if stored == (0, 0):
        raise CeremonyError("no network key", "there is no network key to reshare: run a DKG")
    published = gatekeepers.events("NetworkKeyPublished")
    if not published:
        raise CeremonyError("unreadable key history", "no NetworkKeyPublished event found")
    last = published[-1].args
    key = _point(last["key"])
    if key.xy != stored:
        raise CeremonyError(
            "unreadable key history", "the last published key is not the stored network key"
        )
    source_epoch = int(last["epoch"])
    changes = [
        event.args
        for event in gatekeepers.events("GatekeepersChanged")
        if int(event.args["epoch"]) <= source_epoch
    ]
    if not changes:
        raise CeremonyError("unreadable key history", "no GatekeepersChanged event found")
    members = tuple(to_checksum_address(m) for m in changes[-1]["members"])
    shares = {i: _point(p) for i, p in enumerate(last["shares"], start=1)}
    if len(shares) != len(members):
        raise CeremonyError("unreadable key history", "published shares do not match the set")
    return PublishedKey(source_epoch, members, int(changes[-1]["threshold"]), key, shares)
