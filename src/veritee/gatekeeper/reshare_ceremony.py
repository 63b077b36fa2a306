"""One gatekeeper's side of a resharing run through an untrusted relay: a pure state machine.

Old members holding a share of the published key (*dealers*, by old index) deal it to the new
set (*receivers*, by new index); a gatekeeper in both sets plays both parts. The relay calls::

    announce()                          -> receivers: signed X25519 key for this epoch
    deal(all announcements)             -> dealers: signed deal of their old share
    complaints(all deals)               -> receivers: signed complaints, signed view of the deals
    reveals(all complaints, deal views) -> dealers: signed reveals; receivers: view of complaints
    finalize(all reveals, complaint views) -> receivers: the new KeyShare of the same key

Messages are signed as in the DKG (:class:`~.dkg_messages.SignedDkgMessage`): deals and reveals
checked against the old member at their sender index, the rest against the new member. The old
``t``, ``S`` and ``S_i`` come from the chain (:mod:`~.key_history`), never from the relay: a new
share is checked against the dealer's commitments, and those against the old ``S_i`` and ``S``.
Every receiver must report the same deals and complaints (the views), or the ceremony stops.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from veritee.crypto._common import Rng, default_rng
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.threshold import (
    CeremonyContext,
    Complaint,
    DealMessage,
    KeyShare,
    ReshareDealer,
    ReshareReceiver,
    Reveal,
)
from veritee.exceptions import CeremonyError, ThresholdError
from veritee.gatekeeper.dkg_messages import (
    DkgKind,
    SignedDkgMessage,
    dkg_domain,
    transcript_digest,
)
from veritee.gatekeeper.key_history import PublishedKey

__all__ = ["ReshareCeremony"]

_DEAL_VIEW, _COMPLAINT_VIEW = 1, 2
_DEALER_KINDS = (DkgKind.DEAL, DkgKind.REVEAL)
_StepOutput = tuple[list[SignedDkgMessage], SignedDkgMessage]
_RevealOutput = tuple[list[SignedDkgMessage], SignedDkgMessage | None]


class ReshareCeremony:
    """A gatekeeper's run of the resharing of ``source`` to ``new_members`` with ``new_t``.

    ``old_share`` (our share of ``source``) makes us a dealer; ``receiver`` (our 1-based index
    in ``new_members``) makes us a receiver, with ``encryption_key`` as our X25519 key.
    """

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
        self.ceremony, self.source, self.new_t = ceremony, source, new_t
        self.new_members = list(new_members)
        self.dealer_index = None if old_share is None else old_share.index
        self.receiver_index = receiver
        self.domain = dkg_domain(ceremony.chain_id, ceremony.contract)
        self._key, self._rng = signing_key, rng
        self._old, self._encryption = old_share, encryption_key
        self._session: bytes | None = None
        self._dealer: ReshareDealer | None = None
        self._receiver: ReshareReceiver | None = None
        self._deals: dict[int, SignedDkgMessage] = {}
        self._complaints: dict[tuple[int, int], SignedDkgMessage] = {}
        self._views: dict[int, bytes] = {}
        self._deal_out: SignedDkgMessage | None = None
        self._dealt = False
        self._complaints_out: _StepOutput | None = None
        self._reveals_out: _RevealOutput | None = None
        self.key_share: KeyShare | None = None
        self.qualified: frozenset[int] = frozenset()

    def _sign(self, kind: DkgKind, payload: bytes) -> SignedDkgMessage:
        sender = self.dealer_index if kind in _DEALER_KINDS else self.receiver_index
        assert sender is not None and self._session is not None
        return SignedDkgMessage.sign(
            self._key,
            self.domain,
            kind=kind,
            epoch=self.ceremony.epoch,
            sender=sender,
            payload=payload,
            session=self._session,
        )

    def _verified(
        self, messages: Iterable[SignedDkgMessage], kind: DkgKind
    ) -> list[SignedDkgMessage]:
        if self._session is None:
            raise CeremonyError("step out of order", "the deal step has not run yet")
        checked = list(messages)
        members = list(self.source.members) if kind in _DEALER_KINDS else self.new_members
        for message in checked:
            message.verify(
                self.domain,
                members,
                kind=kind,
                epoch=self.ceremony.epoch,
                session=self._session,
            )
        return checked

    def _require_receiver(self) -> ReshareReceiver:
        if self.receiver_index is None:
            raise CeremonyError("not a receiver", "we are not a member of the new set")
        if self._receiver is None:
            raise CeremonyError("step out of order", "the deal step has not run yet")
        return self._receiver

    def announce(self) -> SignedDkgMessage | None:
        """A receiver's X25519 public key for this epoch, signed; None for a dealer only."""
        if self.receiver_index is None:
            return None
        return SignedDkgMessage.sign(
            self._key,
            self.domain,
            kind=DkgKind.ANNOUNCE,
            epoch=self.ceremony.epoch,
            sender=self.receiver_index,
            payload=self._encryption.public_bytes(),
        )

    def deal(self, announcements: Iterable[SignedDkgMessage]) -> SignedDkgMessage | None:
        """Check every new member's announcement; a dealer deals (the same deal if repeated)."""
        if self._dealt:
            return self._deal_out
        keys: dict[int, bytes] = {}
        for message in announcements:
            message.verify(
                self.domain, self.new_members, kind=DkgKind.ANNOUNCE, epoch=self.ceremony.epoch
            )
            if len(message.payload) != 32:
                raise CeremonyError("malformed announcement", "an X25519 key is 32 bytes")
            if keys.setdefault(message.sender, message.payload) != message.payload:
                raise CeremonyError(
                    "equivocation", f"new gatekeeper {message.sender} announced two keys"
                )
        missing = sorted(set(range(1, len(self.new_members) + 1)) - set(keys))
        if missing:
            raise CeremonyError(
                "missing announcements", f"no announcement from new gatekeepers {missing}"
            )
        old = (self.source.threshold, self.source.public_key, self.source.public_shares)
        try:
            if self.receiver_index is not None:
                if keys[self.receiver_index] != self._encryption.public_bytes():
                    raise CeremonyError("forged announcement", "our own announcement was replaced")
                self._receiver = ReshareReceiver(
                    self.receiver_index, self._encryption, self.new_t, keys, *old, self.ceremony
                )
                self._session = self._receiver.session_id
            if self._old is not None:
                self._dealer = ReshareDealer(
                    self._old, self.new_t, keys, self.ceremony, rng=self._rng
                )
                self._session = self._dealer.session_id
                self._deal_out = self._sign(DkgKind.DEAL, self._dealer.deal().to_bytes())
        except (ThresholdError, ValueError) as exc:
            raise CeremonyError("bad parameters", f"cannot reshare: {exc}") from exc
        self._dealt = True
        return self._deal_out

    def complaints(self, deals: Iterable[SignedDkgMessage]) -> _StepOutput:
        """A receiver checks every deal; its complaints and a signed view of the deals."""
        receiver = self._require_receiver()
        if self._complaints_out is not None:
            return self._complaints_out
        complaints = []
        for message in self._verified(deals, DkgKind.DEAL):
            if self._deals.setdefault(message.sender, message) != message:
                raise CeremonyError(
                    "equivocation", f"old gatekeeper {message.sender} signed two different deals"
                )
            try:
                deal = DealMessage.from_bytes(message.payload)
                if deal.dealer != message.sender:
                    raise ThresholdError("deal names another dealer than its signer")
                complaint = receiver.receive(deal)
            except ThresholdError as exc:
                raise CeremonyError("bad deal", f"deal from {message.sender}: {exc}") from exc
            if complaint is not None:
                signed = self._sign(DkgKind.COMPLAINT, complaint.to_bytes())
                self._complaints[(complaint.complainer, complaint.dealer)] = signed
                complaints.append(signed)
        view = self._view(_DEAL_VIEW, b"reshare deals", self._deals.values())
        self._complaints_out = (complaints, view)
        return self._complaints_out

    def _view(
        self, step: int, tag: bytes, messages: Iterable[SignedDkgMessage]
    ) -> SignedDkgMessage:
        self._views[step] = transcript_digest(tag, messages)
        return self._sign(DkgKind.VIEW, bytes((step,)) + self._views[step])

    def _check_views(self, views: Iterable[SignedDkgMessage], step: int) -> None:
        seen: dict[int, bytes] = {}
        for message in self._verified(views, DkgKind.VIEW):
            if len(message.payload) == 33 and message.payload[0] == step:
                seen[message.sender] = message.payload[1:]
        what = "deals" if step == _DEAL_VIEW else "complaints"
        differing = sorted(i for i, digest in seen.items() if digest != self._views[step])
        if differing:
            raise CeremonyError(
                "inconsistent broadcast",
                f"new gatekeepers {differing} received other {what} than we did: the relay or "
                "a dealer equivocated",
            )
        missing = sorted(set(range(1, len(self.new_members) + 1)) - set(seen))
        if missing:
            raise CeremonyError(
                "missing views", f"no view of the {what} from new gatekeepers {missing}"
            )

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
            if _DEAL_VIEW not in self._views:
                raise CeremonyError("step out of order", "the complaints step has not run yet")
            self._check_views(views, _DEAL_VIEW)
        for message in self._verified(complaints, DkgKind.COMPLAINT):
            try:
                complaint = Complaint.from_bytes(message.payload)
            except ThresholdError as exc:
                raise CeremonyError("bad complaint", str(exc)) from exc
            if complaint.complainer != message.sender:
                raise CeremonyError("bad complaint", "complaint names another complainer")
            self._complaints[(complaint.complainer, complaint.dealer)] = message
        ours = [c for c in self._parsed_complaints() if c.dealer == self.dealer_index]
        try:
            answers = [self._dealer.answer(c) for c in ours] if self._dealer else []
        except ThresholdError as exc:
            raise CeremonyError("bad complaint", str(exc)) from exc
        reveals = [self._sign(DkgKind.REVEAL, answer.to_bytes()) for answer in answers]
        view = None
        if self._receiver is not None:
            view = self._view(_COMPLAINT_VIEW, b"reshare complaints", self._complaints.values())
        self._reveals_out = (reveals, view)
        return self._reveals_out

    def _parsed_complaints(self) -> list[Complaint]:
        return [Complaint.from_bytes(m.payload) for _, m in sorted(self._complaints.items())]

    def finalize(
        self, reveals: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> KeyShare:
        """A receiver checks the complaint views, settles the qualified dealers (at least the old
        ``t``) and derives its new share of the unchanged key."""
        receiver = self._require_receiver()
        if self.key_share is not None:
            return self.key_share
        if _COMPLAINT_VIEW not in self._views:
            raise CeremonyError("step out of order", "the reveals step has not run yet")
        self._check_views(views, _COMPLAINT_VIEW)
        answers: list[Reveal] = []
        for message in self._verified(reveals, DkgKind.REVEAL):
            try:
                reveal = Reveal.from_bytes(message.payload)
            except ThresholdError as exc:
                raise CeremonyError("bad reveal", str(exc)) from exc
            if reveal.dealer != message.sender:
                raise CeremonyError("bad reveal", "reveal names another dealer than its signer")
            answers.append(reveal)
        try:
            self.qualified = receiver.resolve(self._parsed_complaints(), answers)
            self.key_share = receiver.finalize()
        except ThresholdError as exc:
            raise CeremonyError("ceremony failed", str(exc)) from exc
        return self.key_share
