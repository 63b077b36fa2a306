"""What the DKG and the resharing state machines share: one gatekeeper's signed transcript.

Both ceremonies run through an untrusted relay in the same steps (announce, deal, complaints,
reveals, finalize), over :class:`~veritee.gatekeeper.dkg_messages.SignedDkgMessage`.
:class:`RelayedCeremony` keeps what one gatekeeper accepted (deals, complaints, its views of
both) and makes the checks that are the same in both: every message verified against the
on-chain member at its sender index, one key announced per member, one deal signed per dealer,
complaints and reveals that name their signer, views that match ours.

What differs stays with each ceremony (:mod:`~.ceremony`, :mod:`~.reshare_ceremony`): who may
sign which kind of message and as which index (:meth:`RelayedCeremony._members`,
:meth:`RelayedCeremony._sender`: one set in the DKG; in a resharing old members deal and
reveal, new members do the rest), whose views must arrive
(:meth:`RelayedCeremony._expected_views`), how the parties are named in errors, and the steps'
order of checks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import ClassVar, Protocol

from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.threshold import CeremonyContext, Complaint, DealMessage, KeyShare, Reveal
from veritee.exceptions import CeremonyError, ThresholdError
from veritee.gatekeeper.dkg_messages import (
    DkgKind,
    SignedDkgMessage,
    dkg_domain,
    transcript_digest,
)

__all__ = ["COMPLAINT_VIEW", "DEAL_VIEW", "DealReceiver", "RelayedCeremony", "StepOutput"]

#: The steps a view covers (its payload's first byte).
DEAL_VIEW, COMPLAINT_VIEW = 1, 2
#: Signed messages of a step and our signed view of what we received.
StepOutput = tuple[list[SignedDkgMessage], SignedDkgMessage]


class DealReceiver(Protocol):
    """A receiver of deals: :class:`~veritee.crypto.threshold.DkgParticipant` in a DKG,
    :class:`~veritee.crypto.threshold.ReshareReceiver` in a resharing."""

    def receive(self, deal: DealMessage) -> Complaint | None: ...

    def resolve(
        self, complaints: Iterable[Complaint], reveals: Iterable[Reveal]
    ) -> frozenset[int]: ...

    def finalize(self) -> KeyShare: ...


class RelayedCeremony(ABC):
    """One gatekeeper's transcript of a ceremony for ``ceremony`` (see the module docstring).

    ``key_share`` is set once the ceremony finalized, ``qualified`` (the dealers whose deals
    count) once it resolved the complaints.
    """

    #: How errors name a dealer and a receiver.
    _dealer_noun: ClassVar[str]
    _receiver_noun: ClassVar[str]
    #: The transcript tag of the view of each step.
    _view_tags: ClassVar[dict[int, bytes]]

    def __init__(
        self, *, signing_key: bytes, encryption_key: X25519KeyPair, ceremony: CeremonyContext
    ) -> None:
        self.ceremony = ceremony
        self.domain = dkg_domain(ceremony.chain_id, ceremony.contract)
        self._key, self._encryption = signing_key, encryption_key
        self._session_id: bytes | None = None
        self._deals: dict[int, SignedDkgMessage] = {}
        self._complaints: dict[tuple[int, int], SignedDkgMessage] = {}
        self._views: dict[int, bytes] = {}
        self._complaints_out: StepOutput | None = None
        self.key_share: KeyShare | None = None
        self.qualified: frozenset[int] = frozenset()

    @abstractmethod
    def _members(self, kind: DkgKind) -> Sequence[str]:
        """The on-chain addresses, in index order, of the parties that send ``kind`` messages."""

    @abstractmethod
    def _sender(self, kind: DkgKind) -> int:
        """Our index as the sender of a ``kind`` message."""

    @abstractmethod
    def _expected_views(self) -> Iterable[int]:
        """The indices whose views of a step must arrive."""

    @property
    def session(self) -> bytes:
        """The session id (known once :meth:`deal` has seen every announcement)."""
        if self._session_id is None:
            raise CeremonyError("step out of order", "the deal step has not run yet")
        return self._session_id

    def _announcement(self) -> SignedDkgMessage:
        """Our X25519 public key for this epoch, signed (before there is a session)."""
        return SignedDkgMessage.sign(
            self._key,
            self.domain,
            kind=DkgKind.ANNOUNCE,
            epoch=self.ceremony.epoch,
            sender=self._sender(DkgKind.ANNOUNCE),
            payload=self._encryption.public_bytes(),
        )

    def _sign(self, kind: DkgKind, payload: bytes) -> SignedDkgMessage:
        return SignedDkgMessage.sign(
            self._key,
            self.domain,
            kind=kind,
            epoch=self.ceremony.epoch,
            sender=self._sender(kind),
            payload=payload,
            session=self.session,
        )

    def _verified(
        self, messages: Iterable[SignedDkgMessage], kind: DkgKind
    ) -> list[SignedDkgMessage]:
        session, members = self.session, self._members(kind)
        checked = list(messages)
        for message in checked:
            message.verify(
                self.domain, members, kind=kind, epoch=self.ceremony.epoch, session=session
            )
        return checked

    def _announced_keys(
        self, announcements: Iterable[SignedDkgMessage], *, ours: int | None
    ) -> dict[int, bytes]:
        """Every member's announced X25519 key, by index; ``ours``: our index among them."""
        members = self._members(DkgKind.ANNOUNCE)
        keys: dict[int, bytes] = {}
        for message in announcements:
            message.verify(self.domain, members, kind=DkgKind.ANNOUNCE, epoch=self.ceremony.epoch)
            if len(message.payload) != 32:
                raise CeremonyError("malformed announcement", "an X25519 key is 32 bytes")
            if keys.setdefault(message.sender, message.payload) != message.payload:
                raise CeremonyError(
                    "equivocation", f"{self._receiver_noun} {message.sender} announced two keys"
                )
        missing = sorted(set(range(1, len(members) + 1)) - set(keys))
        if missing:
            raise CeremonyError(
                "missing announcements", f"no announcement from {self._receiver_noun}s {missing}"
            )
        if ours is not None and keys[ours] != self._encryption.public_bytes():
            raise CeremonyError("forged announcement", "our own announcement was replaced")
        return keys

    def _complaints_step(
        self, receiver: DealReceiver, deals: Iterable[SignedDkgMessage], *, ours: int | None
    ) -> StepOutput:
        """Check every deal (``ours``: the dealer index of the deal we made, not to receive);
        our complaints and a signed view of the deals. A repeated call returns the same."""
        if self._complaints_out is not None:
            return self._complaints_out
        complaints = []
        for message in self._verified(deals, DkgKind.DEAL):
            if self._deals.setdefault(message.sender, message) != message:
                raise CeremonyError(
                    "equivocation",
                    f"{self._dealer_noun} {message.sender} signed two different deals",
                )
            if message.sender == ours:
                continue
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
        self._complaints_out = (complaints, self._view(DEAL_VIEW))
        return self._complaints_out

    def _view(self, step: int) -> SignedDkgMessage:
        """Our signed digest of the deals (or complaints) we accepted, for the others to match."""
        accepted = self._deals.values() if step == DEAL_VIEW else self._complaints.values()
        self._views[step] = transcript_digest(self._view_tags[step], accepted)
        return self._sign(DkgKind.VIEW, bytes((step,)) + self._views[step])

    def _check_views(self, views: Iterable[SignedDkgMessage], step: int) -> None:
        seen: dict[int, bytes] = {}
        for message in self._verified(views, DkgKind.VIEW):
            if len(message.payload) == 33 and message.payload[0] == step:
                seen[message.sender] = message.payload[1:]  # else not evidence either way
        what = "deals" if step == DEAL_VIEW else "complaints"
        differing = sorted(i for i, digest in seen.items() if digest != self._views[step])
        if differing:
            raise CeremonyError(
                "inconsistent broadcast",
                f"{self._receiver_noun}s {differing} received other {what} than we did: the "
                "relay or a dealer equivocated",
            )
        missing = sorted(set(self._expected_views()) - set(seen))
        if missing:
            raise CeremonyError(
                "missing views", f"no view of the {what} from {self._receiver_noun}s {missing}"
            )

    def _record_complaints(self, complaints: Iterable[SignedDkgMessage]) -> None:
        for message in self._verified(complaints, DkgKind.COMPLAINT):
            try:
                complaint = Complaint.from_bytes(message.payload)
            except ThresholdError as exc:
                raise CeremonyError("bad complaint", str(exc)) from exc
            if complaint.complainer != message.sender:
                raise CeremonyError("bad complaint", "complaint names another complainer")
            self._complaints[(complaint.complainer, complaint.dealer)] = message

    def _parsed_complaints(self) -> list[Complaint]:
        return [Complaint.from_bytes(m.payload) for _, m in sorted(self._complaints.items())]

    def _complaints_against(self, dealer: int | None) -> list[Complaint]:
        return [c for c in self._parsed_complaints() if c.dealer == dealer]

    def _finish(
        self,
        receiver: DealReceiver,
        reveals: Iterable[SignedDkgMessage],
        views: Iterable[SignedDkgMessage],
    ) -> KeyShare:
        """Check the complaint views, settle the qualified dealers and derive our key share."""
        if self.key_share is not None:
            return self.key_share
        if COMPLAINT_VIEW not in self._views:
            raise CeremonyError("step out of order", "the reveals step has not run yet")
        self._check_views(views, COMPLAINT_VIEW)
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
