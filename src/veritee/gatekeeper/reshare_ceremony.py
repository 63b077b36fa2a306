"""One gatekeeper's side of a resharing run through an untrusted relay: a pure state machine.

Old members holding a share of the published key (*dealers*, by old index) deal it to the new
set (*receivers*, by new index); a gatekeeper in both sets plays both parts. The relay calls::

    announce()                          -> receivers: signed X25519 key for this epoch
    deal(all announcements)             -> dealers: signed deal of their old share
    complaints(all deals)               -> receivers: signed complaints, signed view of the deals
    reveals(all complaints, deal views) -> dealers: signed reveals; receivers: view of complaints
    finalize(all reveals, complaint views) -> receivers: the new KeyShare of the same key

Messages are signed as in the DKG (:class:`~.dkg_messages.SignedDkgMessage`) and checked the
same way (:class:`~.relayed_ceremony.RelayedCeremony`), except that deals and reveals are
checked against the old member at their sender index, the rest against the new member. The old
``t``, ``S`` and ``S_i`` come from the chain (:mod:`~.key_history`), never from the relay: a new
share is checked against the dealer's commitments, and those against the old ``S_i`` and ``S``.
Every receiver must report the same deals and complaints (the views), or the ceremony stops.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from veritee.crypto._common import Rng, default_rng
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.threshold import CeremonyContext, KeyShare, ReshareDealer, ReshareReceiver
from veritee.exceptions import CeremonyError, ThresholdError
from veritee.gatekeeper.dkg_messages import DkgKind, SignedDkgMessage
from veritee.gatekeeper.key_history import PublishedKey
from veritee.gatekeeper.relayed_ceremony import (
    COMPLAINT_VIEW,
    DEAL_VIEW,
    RelayedCeremony,
    StepOutput,
)

__all__ = ["ReshareCeremony"]

_DEALER_KINDS = (DkgKind.DEAL, DkgKind.REVEAL)
_RevealOutput = tuple[list[SignedDkgMessage], SignedDkgMessage | None]


class ReshareCeremony(RelayedCeremony):
    """A gatekeeper's run of the resharing of ``source`` to ``new_members`` with ``new_t``.

    ``old_share`` (our share of ``source``) makes us a dealer; ``receiver`` (our 1-based index
    in ``new_members``) makes us a receiver, with ``encryption_key`` as our X25519 key.
    """

    _dealer_noun, _receiver_noun = "old gatekeeper", "new gatekeeper"
    _view_tags = {DEAL_VIEW: b"reshare deals", COMPLAINT_VIEW: b"reshare complaints"}

    def __init__(
        self,
        *,
        signing_key: bytes,
        ceremony: CeremonyContext,
        source: PublishedKey,
        new_members: Sequence[str],
        new_t: int,
        encryption_key: X25519KeyPair,
        old_share: KeyShare | None = None,
        receiver: int | None = None,
        rng: Rng = default_rng,
    ) -> None:
        if old_share is not None and not source.matches(old_share):
            raise CeremonyError("wrong share", "our old share is not a share of the published key")
        super().__init__(signing_key=signing_key, encryption_key=encryption_key, ceremony=ceremony)
        self.source, self.new_t = source, new_t
        self.new_members = list(new_members)
        self.dealer_index = None if old_share is None else old_share.index
        self.receiver_index = receiver
        self._old, self._rng = old_share, rng
        self._dealer: ReshareDealer | None = None
        self._receiver: ReshareReceiver | None = None
        self._deal_out: SignedDkgMessage | None = None
        self._dealt = False
        self._reveals_out: _RevealOutput | None = None

    def _members(self, kind: DkgKind) -> Sequence[str]:
        """Dealers sign deals and reveals as old members, receivers the rest as new members."""
        return self.source.members if kind in _DEALER_KINDS else self.new_members

    def _sender(self, kind: DkgKind) -> int:
        sender = self.dealer_index if kind in _DEALER_KINDS else self.receiver_index
        assert sender is not None
        return sender

    def _expected_views(self) -> Iterable[int]:
        return range(1, len(self.new_members) + 1)  # every new member

    def _require_receiver(self) -> ReshareReceiver:
        if self.receiver_index is None:
            raise CeremonyError("not a receiver", "we are not a member of the new set")
        if self._receiver is None:
            raise CeremonyError("step out of order", "the deal step has not run yet")
        return self._receiver

    def announce(self) -> SignedDkgMessage | None:
        """A receiver's X25519 public key for this epoch, signed; None for a dealer only."""
        return None if self.receiver_index is None else self._announcement()

    def deal(self, announcements: Iterable[SignedDkgMessage]) -> SignedDkgMessage | None:
        """Check every new member's announcement; a dealer deals (the same deal if repeated)."""
        if self._dealt:
            return self._deal_out
        keys = self._announced_keys(announcements, ours=self.receiver_index)
        old = (self.source.threshold, self.source.public_key, self.source.public_shares)
        try:
            if self.receiver_index is not None:
                self._receiver = ReshareReceiver(
                    self.receiver_index, self._encryption, self.new_t, keys, *old, self.ceremony
                )
                self._session_id = self._receiver.session_id
            if self._old is not None:
                self._dealer = ReshareDealer(
                    self._old, self.new_t, keys, self.ceremony, rng=self._rng
                )
                self._session_id = self._dealer.session_id
                self._deal_out = self._sign(DkgKind.DEAL, self._dealer.deal().to_bytes())
        except (ThresholdError, ValueError) as exc:
            raise CeremonyError("bad parameters", f"cannot reshare: {exc}") from exc
        self._dealt = True
        return self._deal_out

    def complaints(self, deals: Iterable[SignedDkgMessage]) -> StepOutput:
        """A receiver checks every deal; its complaints and a signed view of the deals."""
        return self._complaints_step(self._require_receiver(), deals, ours=None)

    def reveals(
        self, complaints: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> _RevealOutput:
        """A dealer answers complaints against it; a receiver checks the deal views, records the
        complaints and signs its view of them."""
        if not self._dealt:
            raise CeremonyError("step out of order", "the deal step has not run yet")
        if self._reveals_out is not None:
            return self._reveals_out
        if self._receiver is not None:
            if DEAL_VIEW not in self._views:
                raise CeremonyError("step out of order", "the complaints step has not run yet")
            self._check_views(views, DEAL_VIEW)
        self._record_complaints(complaints)
        ours = self._complaints_against(self.dealer_index)
        try:
            answers = [self._dealer.answer(c) for c in ours] if self._dealer else []
        except ThresholdError as exc:
            raise CeremonyError("bad complaint", str(exc)) from exc
        reveals = [self._sign(DkgKind.REVEAL, answer.to_bytes()) for answer in answers]
        view = None if self._receiver is None else self._view(COMPLAINT_VIEW)
        self._reveals_out = (reveals, view)
        return self._reveals_out

    def finalize(
        self, reveals: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> KeyShare:
        """A receiver checks the complaint views, settles the qualified dealers (at least the old
        ``t``) and derives its new share of the unchanged key."""
        return self._finish(self._require_receiver(), reveals, views)
