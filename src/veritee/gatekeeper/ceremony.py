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
``t`` of them over one key and set of shares, exposes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from veritee.crypto._common import Rng, default_rng
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.threshold import (
    CeremonyContext,
    Complaint,
    DealMessage,
    DkgParticipant,
    KeyShare,
    Reveal,
)
from veritee.exceptions import CeremonyError, ThresholdError
from veritee.gatekeeper.dkg_messages import (
    DkgKind,
    SignedDkgMessage,
    dkg_domain,
    transcript_digest,
)

__all__ = ["DkgCeremony"]

_DEAL_VIEW, _COMPLAINT_VIEW = 1, 2
_StepOutput = tuple[list[SignedDkgMessage], SignedDkgMessage]


class DkgCeremony:
    """Gatekeeper ``index``'s run of a ``t``-of-``len(members)`` DKG for ``ceremony``.

    ``members`` are the on-chain gatekeeper addresses in index order; ``signing_key`` is ours
    (its address must be ``members[index - 1]``).
    """

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
        self.index, self.t, self.n = index, t, len(members)
        self.ceremony, self.members = ceremony, list(members)
        self.domain = dkg_domain(ceremony.chain_id, ceremony.contract)
        self._key, self._encryption, self._rng = signing_key, encryption_key, rng
        self._participant: DkgParticipant | None = None
        self._deals: dict[int, SignedDkgMessage] = {}
        self._complaints: dict[tuple[int, int], SignedDkgMessage] = {}
        self._views: dict[int, bytes] = {}
        self._deal_out: SignedDkgMessage | None = None
        self._complaints_out: _StepOutput | None = None
        self._reveals_out: _StepOutput | None = None
        self.key_share: KeyShare | None = None

    @property
    def session(self) -> bytes:
        """The session id (known once :meth:`deal` has seen every announcement)."""
        return self._require_participant().session_id

    def _sign(
        self, kind: DkgKind, payload: bytes, session: bytes | None = None
    ) -> SignedDkgMessage:
        return SignedDkgMessage.sign(
            self._key,
            self.domain,
            kind=kind,
            epoch=self.ceremony.epoch,
            sender=self.index,
            payload=payload,
            session=self.session if session is None else session,
        )

    def _require_participant(self) -> DkgParticipant:
        if self._participant is None:
            raise CeremonyError("step out of order", "the deal step has not run yet")
        return self._participant

    def _verified(
        self, messages: Iterable[SignedDkgMessage], kind: DkgKind
    ) -> list[SignedDkgMessage]:
        checked = []
        for message in messages:
            message.verify(
                self.domain,
                self.members,
                kind=kind,
                epoch=self.ceremony.epoch,
                session=self.session,
            )
            checked.append(message)
        return checked

    def announce(self) -> SignedDkgMessage:
        """Our X25519 public key for this epoch, signed."""
        return SignedDkgMessage.sign(
            self._key,
            self.domain,
            kind=DkgKind.ANNOUNCE,
            epoch=self.ceremony.epoch,
            sender=self.index,
            payload=self._encryption.public_bytes(),
        )

    def deal(self, announcements: Iterable[SignedDkgMessage]) -> SignedDkgMessage:
        """Check every member's announcement, then deal; a repeated call returns the same deal."""
        if self._deal_out is not None:
            return self._deal_out
        keys: dict[int, bytes] = {}
        for message in announcements:
            message.verify(
                self.domain, self.members, kind=DkgKind.ANNOUNCE, epoch=self.ceremony.epoch
            )
            if len(message.payload) != 32:
                raise CeremonyError("malformed announcement", "an X25519 key is 32 bytes")
            if keys.setdefault(message.sender, message.payload) != message.payload:
                raise CeremonyError(
                    "equivocation", f"gatekeeper {message.sender} announced two keys"
                )
        missing = sorted(set(range(1, self.n + 1)) - set(keys))
        if missing:
            raise CeremonyError(
                "missing announcements", f"no announcement from gatekeepers {missing}"
            )
        if keys[self.index] != self._encryption.public_bytes():
            raise CeremonyError("forged announcement", "our own announcement was replaced")
        self._participant = DkgParticipant(
            self.index, self.t, self.n, self._encryption, keys, self.ceremony, rng=self._rng
        )
        deal = self._sign(DkgKind.DEAL, self._participant.deal().to_bytes())
        self._deals[self.index] = self._deal_out = deal
        return deal

    def complaints(self, deals: Iterable[SignedDkgMessage]) -> _StepOutput:
        """Check every deal; our complaints and a signed view of the deals we accepted."""
        participant = self._require_participant()
        if self._complaints_out is not None:
            return self._complaints_out
        complaints = []
        for message in self._verified(deals, DkgKind.DEAL):
            previous = self._deals.setdefault(message.sender, message)
            if previous != message:
                raise CeremonyError(
                    "equivocation", f"gatekeeper {message.sender} signed two different deals"
                )
            if message.sender == self.index:
                continue
            try:
                deal = DealMessage.from_bytes(message.payload)
                if deal.dealer != message.sender:
                    raise ThresholdError("deal names another dealer than its signer")
                complaint = participant.receive(deal)
            except ThresholdError as exc:
                raise CeremonyError("bad deal", f"deal from {message.sender}: {exc}") from exc
            if complaint is not None:
                signed = self._sign(DkgKind.COMPLAINT, complaint.to_bytes())
                self._complaints[(self.index, message.sender)] = signed
                complaints.append(signed)
        self._views[_DEAL_VIEW] = transcript_digest(b"deals", self._deals.values())
        view = self._sign(DkgKind.VIEW, bytes((_DEAL_VIEW,)) + self._views[_DEAL_VIEW])
        self._complaints_out = (complaints, view)
        return self._complaints_out

    def _check_views(self, views: Iterable[SignedDkgMessage], step: int) -> None:
        seen: dict[int, bytes] = {}
        for message in self._verified(views, DkgKind.VIEW):
            if len(message.payload) != 33 or message.payload[0] != step:
                continue  # a view of another step: not evidence either way
            seen[message.sender] = message.payload[1:]
        expected = self._views[step]
        missing = sorted(set(self._deals) - set(seen))
        differing = sorted(i for i, digest in seen.items() if digest != expected)
        what = "deals" if step == _DEAL_VIEW else "complaints"
        if differing:
            raise CeremonyError(
                "inconsistent broadcast",
                f"gatekeepers {differing} received other {what} than we did: the relay or a "
                "dealer equivocated",
            )
        if missing:
            raise CeremonyError(
                "missing views", f"no view of the {what} from gatekeepers {missing}"
            )

    def reveals(
        self, complaints: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> _StepOutput:
        """Check the deal views, record every complaint, answer those against us."""
        participant = self._require_participant()
        if self._complaints_out is None:
            raise CeremonyError("step out of order", "the complaints step has not run yet")
        if self._reveals_out is not None:
            return self._reveals_out
        self._check_views(views, _DEAL_VIEW)
        for message in self._verified(complaints, DkgKind.COMPLAINT):
            try:
                complaint = Complaint.from_bytes(message.payload)
            except ThresholdError as exc:
                raise CeremonyError("bad complaint", str(exc)) from exc
            if complaint.complainer != message.sender:
                raise CeremonyError("bad complaint", "complaint names another complainer")
            self._complaints[(complaint.complainer, complaint.dealer)] = message
        reveals = [
            self._sign(DkgKind.REVEAL, participant.answer(complaint).to_bytes())
            for complaint in self._parsed_complaints()
            if complaint.dealer == self.index
        ]
        self._views[_COMPLAINT_VIEW] = transcript_digest(b"complaints", self._complaints.values())
        view = self._sign(DkgKind.VIEW, bytes((_COMPLAINT_VIEW,)) + self._views[_COMPLAINT_VIEW])
        self._reveals_out = (reveals, view)
        return self._reveals_out

    def _parsed_complaints(self) -> list[Complaint]:
        return [Complaint.from_bytes(m.payload) for _, m in sorted(self._complaints.items())]

    def finalize(
        self, reveals: Iterable[SignedDkgMessage], views: Iterable[SignedDkgMessage]
    ) -> KeyShare:
        """Check the complaint views, settle the qualified set and derive our key share."""
        participant = self._require_participant()
        if self.key_share is not None:
            return self.key_share
        if self._reveals_out is None:
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
            participant.resolve(self._parsed_complaints(), answers)
            self.key_share = participant.finalize()
        except ThresholdError as exc:
            raise CeremonyError("ceremony failed", str(exc)) from exc
        return self.key_share
