"""The gatekeeper's part in a DKG: the steps a relay drives, and signing the resulting key.

:class:`DkgRole` is mixed into :class:`~veritee.gatekeeper.node.GatekeeperNode`. Each step reads
what it needs from the chain (members, threshold, epoch), hands the relayed messages to the pure
:class:`~veritee.gatekeeper.ceremony.DkgCeremony`, and returns signed messages for the relay to
pass on. The finished share is sealed to disk at once; it becomes the active key only when the
chain publishes a matching network key (signed by ``t`` gatekeepers, see
:meth:`DkgRole.sign_network_key`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from veritee.crypto.threshold import CeremonyContext, KeyShare
from veritee.exceptions import CeremonyError
from veritee.gatekeeper.ceremony import DkgCeremony
from veritee.gatekeeper.dkg_messages import SignedDkgMessage
from veritee.gatekeeper.node_ceremony import CeremonyRole, NetworkKeySignature

__all__ = ["DkgRole", "NetworkKeySignature"]


class DkgRole(CeremonyRole):
    """The DKG steps of a gatekeeper node (see the module docstring)."""

    def __init__(self) -> None:
        self._ceremony: DkgCeremony | None = None
        self._dkg_lock = threading.Lock()
        self._finalized = {}

    def finalized_share(self, epoch: int) -> KeyShare | None:
        """The share our DKG of ``epoch`` produced in this process, if any."""
        return self._finalized.get(epoch)

    def _running(self) -> DkgCeremony:
        if self._ceremony is None:
            raise CeremonyError("no ceremony", "no DKG is running here: call start first")
        return self._ceremony

    def dkg_start(self) -> SignedDkgMessage:
        """Begin a DKG for the chain's current epoch; returns our signed X25519 announcement.

        Refused when the epoch already has a published key. Starting again discards a ceremony
        in progress (its messages carry the same session only if nothing about the set changed).
        """
        gatekeepers = self.network.gatekeepers
        with self._dkg_lock:
            epoch, members = gatekeepers.epoch(), gatekeepers.members()
            if gatekeepers.key_published():
                raise CeremonyError(
                    "key already published", f"epoch {epoch} already has a published network key"
                )
            if gatekeepers.network_key() != (0, 0):
                # A new set after set_gatekeepers keeps S: the contract would refuse a new key.
                raise CeremonyError(
                    "network key exists",
                    f"epoch {epoch} inherits an existing network key: reshare it "
                    "(/v1/reshare/*) instead of running a new DKG",
                )
            if len(members) < self.index or members[self.index - 1] != self.address:
                raise CeremonyError("not a member", f"we are not member {self.index} on-chain")
            self._ceremony = DkgCeremony(
                index=self.index,
                signing_key=self.config.signing_key,
                encryption_key=self.config.encryption_key,
                members=members,
                t=gatekeepers.threshold(),
                ceremony=CeremonyContext(self.chain_id, gatekeepers.address, epoch),
                rng=self._rng,
            )
            self.audit.append("dkg", step="start", epoch=epoch, n=len(members))
            return self._ceremony.announce()

    def dkg_deal(self, announcements: Iterable[SignedDkgMessage]) -> SignedDkgMessage:
        """Check every member's announcement and deal."""
        with self._dkg_lock:
            return self._running().deal(announcements)

    def dkg_complaints(
        self, deals: Iterable[SignedDkgMessage]
    ) -> tuple[list[SignedDkgMessage], SignedDkgMessage]:
        """Check every deal; our complaints and our view of the deals."""
        with self._dkg_lock:
            return self._running().complaints(deals)

    def dkg_reveals(
        self, complaints: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> tuple[list[SignedDkgMessage], SignedDkgMessage]:
        """Check the deal views and every complaint; answer the complaints against us."""
        with self._dkg_lock:
            return self._running().reveals(complaints, views)

    def dkg_finalize(
        self, reveals: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> KeyShare:
        """Settle the qualified set, derive our key share and seal it to disk."""
        with self._dkg_lock:
            ceremony = self._running()
            share = ceremony.finalize(reveals, views)
            epoch = ceremony.ceremony.epoch
            if epoch not in self._finalized:
                self._keep_share(share, epoch, "dkg")
            return share

    def sign_network_key(self) -> NetworkKeySignature:
        """Our signature over ``network_key_digest(Gatekeepers domain, epoch, S, shares)``.

        Shares are in member order, as ``(x, y)``, exactly as ``Gatekeepers.publish_key``
        hashes them. Signs only the key our own finalized ceremony produced.
        """
        return self._sign_finalized_key(self._dkg_lock, self._running, "ceremony")
