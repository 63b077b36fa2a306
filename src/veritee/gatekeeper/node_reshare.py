"""The gatekeeper's part in a resharing: the steps a relay drives, and signing the new shares.

:class:`ReshareRole` is mixed into :class:`~veritee.gatekeeper.node.GatekeeperNode` next to
:class:`~veritee.gatekeeper.node_dkg.DkgRole`. Resharing starts once the owner has installed
the new set on-chain (``Gatekeepers.set_gatekeepers``: a new epoch, the key kept, its shares
cleared). Each step reads the chain (the new set, and the published key it reshares, see
:mod:`~.key_history`), hands the relayed messages to the pure
:class:`~veritee.gatekeeper.reshare_ceremony.ReshareCeremony` and returns signed messages. A
member of the old set deals from its sealed share of the old epoch; a member of the new set seals
its new share to disk at once, and it becomes active only when the chain publishes matching
shares, signed by ``t`` of the new set (:meth:`ReshareRole.reshare_sign_key`). From the start of
the resharing no gatekeeper serves the old shares any more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from veritee.crypto.threshold import CeremonyContext, KeyShare
from veritee.exceptions import CeremonyError, ConfigError
from veritee.gatekeeper.dkg_messages import SignedDkgMessage
from veritee.gatekeeper.key_history import PublishedKey, reshare_source
from veritee.gatekeeper.node_ceremony import CeremonyRole, NetworkKeySignature
from veritee.gatekeeper.reshare_ceremony import ReshareCeremony

__all__ = ["ReshareRole", "ReshareStart"]

_log = logging.getLogger("veritee.gatekeeper")


@dataclass(frozen=True)
class ReshareStart:
    """A gatekeeper's parts in a resharing: ``dealer`` (its old index) if it holds a share of
    the published key, ``receiver`` (its new index) with its signed announcement if it is in the
    new set."""

    dealer: int | None
    receiver: int | None
    announcement: SignedDkgMessage | None

    def to_json(self) -> dict[str, Any]:
        announcement = self.announcement
        return {
            "dealer": self.dealer,
            "receiver": self.receiver,
            "announcement": None if announcement is None else announcement.to_json(),
        }


class ReshareRole(CeremonyRole):
    """The resharing steps of a gatekeeper node (see the module docstring)."""

    # Provided by GatekeeperNode: re-read which key share is active after the chain changed.
    refresh_key: Callable[[], KeyShare | None]

    def __init__(self) -> None:
        self._resharing: ReshareCeremony | None = None
        self._reshare_lock = threading.Lock()

    def _reshare_running(self) -> ReshareCeremony:
        if self._resharing is None:
            raise CeremonyError("no ceremony", "no resharing is running here: call start first")
        return self._resharing

    def _old_share(self, source: PublishedKey) -> KeyShare | None:
        """Our sealed share of the published key, if we were in that set and still hold it."""
        index = source.index_of(self.address)
        if index is None:
            return None
        share = self._finalized.get(source.epoch)
        if share is None:
            try:
                share = self.store.load(source.epoch, index)
            except ConfigError as exc:
                _log.warning("cannot deal in the resharing: %s", exc)
                return None
        if share is None or share.index != index or not source.matches(share):
            _log.warning("we hold no share of the key published in epoch %d", source.epoch)
            return None
        return share

    def reshare_start(self) -> ReshareStart:
        """Begin resharing the published key to the chain's current set; returns our parts.

        Refused unless the current epoch still waits for its shares and we are in the old set
        (holding a share) or in the new one. Stops serving any active key share at once.
        """
        gatekeepers = self.network.gatekeepers
        with self._reshare_lock:
            source = reshare_source(gatekeepers)
            epoch, members = gatekeepers.epoch(), gatekeepers.members()
            old_share = self._old_share(source)
            receiver = members.index(self.address) + 1 if self.address in members else None
            if old_share is None and receiver is None:
                raise CeremonyError(
                    "not a participant",
                    f"we hold no share of epoch {source.epoch} and are not in the set of "
                    f"epoch {epoch}",
                )
            self.refresh_key()  # drops the old key: the chain no longer publishes it
            if receiver is not None and receiver != self.index:
                self.index = receiver  # our place in the new set; restart with it as `index`
            self._resharing = ReshareCeremony(
                signing_key=self.config.signing_key,
                ceremony=CeremonyContext(self.chain_id, gatekeepers.address, epoch),
                source=source,
                new_members=members,
                new_t=gatekeepers.threshold(),
                old_share=old_share,
                receiver=receiver,
                encryption_key=self.config.encryption_key,
                rng=self._rng,
            )
            dealer = None if old_share is None else old_share.index
            self.audit.append(
                "reshare",
                step="start",
                epoch=epoch,
                source_epoch=source.epoch,
                dealer=dealer,
                receiver=receiver,
            )
            return ReshareStart(dealer, receiver, self._resharing.announce())

    def reshare_deal(self, announcements: Iterable[SignedDkgMessage]) -> SignedDkgMessage | None:
        """Check every new member's announcement; our deal if we are a dealer."""
        with self._reshare_lock:
            return self._reshare_running().deal(announcements)

    def reshare_complaints(
        self, deals: Iterable[SignedDkgMessage]
    ) -> tuple[list[SignedDkgMessage], SignedDkgMessage]:
        """Check every deal sent to us; our complaints and our view of the deals."""
        with self._reshare_lock:
            return self._reshare_running().complaints(deals)

    def reshare_reveals(
        self, complaints: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> tuple[list[SignedDkgMessage], SignedDkgMessage | None]:
        """Answer complaints against our deal; check the deal views, view the complaints."""
        with self._reshare_lock:
            return self._reshare_running().reveals(complaints, views)

    def reshare_finalize(
        self, reveals: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> tuple[KeyShare, frozenset[int]]:
        """Settle the qualified dealers, derive our new share and seal it to disk.

        Returns the share and the qualified dealers (old indices).
        """
        with self._reshare_lock:
            ceremony = self._reshare_running()
            done = ceremony.key_share is not None
            share = ceremony.finalize(reveals, views)
            epoch = ceremony.ceremony.epoch
            if not done:  # a resharing rerun in the same epoch replaces an unpublished share
                dealers = sorted(ceremony.qualified)
                self._keep_share(share, epoch, "reshare", index=share.index, dealers=dealers)
            return share, ceremony.qualified

    def reshare_sign_key(self) -> NetworkKeySignature:
        """Our signature over ``NetworkKey(epoch, S, new shares)`` for ``publish_key``."""
        return self._sign_finalized_key(self._reshare_lock, self._reshare_running, "resharing")
