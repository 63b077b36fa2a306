"""One gatekeeper's side of a DKG run through an untrusted relay: a pure state machine.

The relay (:mod:`veritee.gatekeeper.dkg_orchestrator`) calls the steps in order, handing each
gatekeeper every message the others produced in the previous step::

    announce()                          -> signed X25519 key for this epoch
    deal(all announcements)             -> signed deal
    complaints(all deals)               -> signed complaints, signed view of the deals
    reveals(all complaints, deal views) -> signed reveals, signed view of the complaints
    finalize(all reveals, complaint views) -> our KeyShare

Every message is checked against the on-chain member at its sender index
(:class:`~veritee.gatekeeper.dkg_messages.SignedDkgMessage`). The views make the relay's
broadcast honest: every gatekeeper whose deal we accepted must report the same set of deals (and
later of complaints) as we saw, or we stop, naming who differs. What remains (reveals withheld
from some) can only make parties disagree on the key, which the on-chain publication, signed by
``t`` of them over one key and set of shares, exposes. The checks are those of every relayed
ceremony (:class:`~veritee.gatekeeper.relayed_ceremony.RelayedCeremony`); here one set of
members plays every part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from veritee.crypto._common import Rng, default_rng
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.threshold import CeremonyContext, DkgParticipant, KeyShare
from veritee.exceptions import CeremonyError
from veritee.gatekeeper.dkg_messages import DkgKind, SignedDkgMessage
from veritee.gatekeeper.relayed_ceremony import (
    COMPLAINT_VIEW,
    DEAL_VIEW,
    RelayedCeremony,
    StepOutput,
)

__all__ = ["DkgCeremony"]


class DkgCeremony(RelayedCeremony):
    """Gatekeeper ``index``'s run of a ``t``-of-``len(members)`` DKG for ``ceremony``.

    ``members`` are the on-chain gatekeeper addresses in index order; ``signing_key`` is ours
    (its address must be ``members[index - 1]``).
    """

    _dealer_noun = _receiver_noun = "gatekeeper"
    _view_tags = {DEAL_VIEW: b"deals", COMPLAINT_VIEW: b"complaints"}

    def __init__(
        self,
        *,
        index: int,
        signing_key: bytes,
        encryption_key: X25519KeyPair,
        members: Sequence[str],
        t: int,
        ceremony: CeremonyContext,
        rng: Rng = default_rng,
    ) -> None:
        super().__init__(signing_key=signing_key, encryption_key=encryption_key, ceremony=ceremony)
        self.index, self.t, self.n = index, t, len(members)
        self.members = list(members)
        self._rng = rng
        self._participant: DkgParticipant | None = None
        self._deal_out: SignedDkgMessage | None = None
        self._reveals_out: StepOutput | None = None

    def _members(self, kind: DkgKind) -> Sequence[str]:
        return self.members  # every member sends every kind of message

    def _sender(self, kind: DkgKind) -> int:
        return self.index

    def _expected_views(self) -> Iterable[int]:
        return self._deals  # every gatekeeper whose deal we accepted

    def _require_participant(self) -> DkgParticipant:
        if self._participant is None:
            raise CeremonyError("step out of order", "the deal step has not run yet")
        return self._participant

    def announce(self) -> SignedDkgMessage:
        """Our X25519 public key for this epoch, signed."""
        return self._announcement()

    def deal(self, announcements: Iterable[SignedDkgMessage]) -> SignedDkgMessage:
        """Check every member's announcement, then deal; a repeated call returns the same deal."""
        if self._deal_out is not None:
            return self._deal_out
        keys = self._announced_keys(announcements, ours=self.index)
        self._participant = DkgParticipant(
            self.index, self.t, self.n, self._encryption, keys, self.ceremony, rng=self._rng
        )
        self._session_id = self._participant.session_id
        deal = self._sign(DkgKind.DEAL, self._participant.deal().to_bytes())
        self._deals[self.index] = self._deal_out = deal
        return deal

    def complaints(self, deals: Iterable[SignedDkgMessage]) -> StepOutput:
        """Check every deal; our complaints and a signed view of the deals we accepted."""
        return self._complaints_step(self._require_participant(), deals, ours=self.index)

    def reveals(
        self, complaints: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> StepOutput:
        """Check the deal views, record every complaint, answer those against us."""
        participant = self._require_participant()
        if self._complaints_out is None:
            raise CeremonyError("step out of order", "the complaints step has not run yet")
        if self._reveals_out is not None:
            return self._reveals_out
        self._check_views(views, DEAL_VIEW)
        self._record_complaints(complaints)
        reveals = [
            self._sign(DkgKind.REVEAL, participant.answer(complaint).to_bytes())
            for complaint in self._complaints_against(self.index)
        ]
        self._reveals_out = (reveals, self._view(COMPLAINT_VIEW))
        return self._reveals_out

    def finalize(
        self, reveals: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> KeyShare:
        """Check the complaint views, settle the qualified set and derive our key share."""
        return self._finish(self._require_participant(), reveals, views)
