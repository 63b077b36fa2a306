"""One round of Feldman VSS with complaints, as both the DKG and resharing run it.

Dealers broadcast a :class:`~veritee.crypto.threshold.messages.DealMessage`; each share in it is an
envelope sealed to its recipient's X25519 key, bound to the ceremony, the session, the dealer and
the recipient. A recipient whose share is missing, does not open or does not match the commitments
broadcasts a complaint; the dealer answers with the share in the clear; a dealer that does not
answer, or whose revealed share fails, is disqualified. A complaint answered by a good share was
false and is ignored.

Everything here assumes the deals, complaints and reveals reach every party alike (a broadcast
channel such as the chain): a dealer showing different commitments to different parties is not
detectable inside one party's state machine.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection, Iterable, Mapping

from veritee.crypto._common import frame, uint_bytes
from veritee.crypto.envelope import EnvelopeContext, X25519KeyPair, open_envelope, seal
from veritee.crypto.secp256k1 import N, Point
from veritee.crypto.threshold.feldman import check_share
from veritee.crypto.threshold.messages import CeremonyContext, Complaint, DealMessage, Reveal
from veritee.exceptions import DecryptionError, ProofError, ThresholdError

__all__ = ["DealingReceiver", "open_share", "seal_share"]

_PURPOSE = "gatekeeper-key-share"


def _share_binding(
    ceremony: CeremonyContext, session_id: bytes, dealer: int, recipient: int
) -> tuple[EnvelopeContext, bytes]:
    context = EnvelopeContext(_PURPOSE, ceremony.chain_id, ceremony.contract, ceremony.epoch)
    return context, frame(session_id, uint_bytes(dealer, 2), uint_bytes(recipient, 2))


def seal_share(
    ceremony: CeremonyContext,
    session_id: bytes,
    dealer: int,
    recipient: int,
    recipient_key: bytes,
    value: int,
) -> bytes:
    """Seal share ``value`` from ``dealer`` to ``recipient``'s X25519 public key."""
    context, aad = _share_binding(ceremony, session_id, dealer, recipient)
    return seal(recipient_key, uint_bytes(value % N), context, aad=aad)


def open_share(
    ceremony: CeremonyContext,
    session_id: bytes,
    dealer: int,
    recipient: int,
    key: X25519KeyPair,
    envelope: bytes,
) -> int:
    """Open a share sealed by :func:`seal_share`; raises DecryptionError on any failure."""
    context, aad = _share_binding(ceremony, session_id, dealer, recipient)
    plaintext = open_envelope(key, envelope, context, aad=aad)
    if len(plaintext) != 32:
        raise DecryptionError("envelope could not be opened")
    return int.from_bytes(plaintext, "big")


class DealingReceiver:
    """A recipient's bookkeeping for one dealing round: shares, complaints and the qualified set.

    ``t`` is the number of commitments each deal must carry (polynomial degree + 1);
    ``expected_constants`` (resharing) pins each dealer's ``C_0``; at least ``min_qualified``
    dealers must survive for :meth:`resolve` to succeed.
    """

    def __init__(
        self,
        *,
        index: int,
        t: int,
        dealers: Collection[int],
        recipients: Collection[int],
        session_id: bytes,
        ceremony: CeremonyContext,
        key: X25519KeyPair,
        min_qualified: int,
        expected_constants: Mapping[int, Point] | None = None,
    ) -> None:
        self.index, self.t, self.session_id, self.ceremony = index, t, session_id, ceremony
        self.dealers, self.recipients = frozenset(dealers), frozenset(recipients)
        self._key, self._min_qualified = key, min_qualified
        self._expected = dict(expected_constants or {})
        self._deals: dict[int, DealMessage] = {}
        self._outcomes: dict[int, Complaint | None] = {}
        self._shares: dict[int, int] = {}
        self._malformed: set[int] = set()
        self._qualified: frozenset[int] | None = None

    def _same_session(self, session_id: bytes) -> bool:
        return hmac.compare_digest(session_id, self.session_id)

    def _well_formed(self, deal: DealMessage) -> bool:
        """Checks everyone can make from the broadcast alone, so all parties agree on them."""
        if len(deal.commitments) != self.t:
            return False
        expected = self._expected.get(deal.dealer)
        return expected is None or deal.commitments[0] == expected

    def _record(self, deal: DealMessage) -> bool:
        """Store ``deal``; returns False if this exact deal was already processed."""
        if not self._same_session(deal.session_id):
            raise ThresholdError("deal belongs to another session (replayed or misrouted); dropped")
        if self._qualified is not None:
            raise ThresholdError("deal arrived after the qualified set was resolved")
        if deal.dealer not in self.dealers:
            raise ThresholdError(f"{deal.dealer} is not a dealer in this session")
        previous = self._deals.get(deal.dealer)
        if previous is not None:
            if previous != deal:
                raise ThresholdError(f"dealer {deal.dealer} sent two different deals")
            return False
        self._deals[deal.dealer] = deal
        return True

    def accept_own(self, deal: DealMessage, value: int) -> None:
        """Record the receiver's own deal, whose share it computed rather than received."""
        if self._record(deal):
            self._outcomes[deal.dealer] = None
            self._shares[deal.dealer] = value

    def receive(self, deal: DealMessage) -> Complaint | None:
        """Check a deal; returns the complaint to broadcast if our share is bad, else None.

        Raises ThresholdError for a deal of another session, from a non-dealer, after resolution,
        or conflicting with an earlier deal from the same dealer.
        """
        if not self._record(deal):
            return self._outcomes[deal.dealer]
        complaint: Complaint | None = Complaint(self.session_id, self.index, deal.dealer)
        if not self._well_formed(deal):
            self._malformed.add(deal.dealer)
        elif (envelope := deal.encrypted_shares.get(self.index)) is not None:
            try:
                value = open_share(
                    self.ceremony, self.session_id, deal.dealer, self.index, self._key, envelope
                )
                check_share(deal.commitments, self.index, value)
            except (DecryptionError, ProofError):
                pass
            else:
                self._shares[deal.dealer] = value
                complaint = None
        self._outcomes[deal.dealer] = complaint
        return complaint

    def resolve(self, complaints: Iterable[Complaint], reveals: Iterable[Reveal]) -> frozenset[int]:
        """Decide the qualified dealers from every broadcast complaint and reveal.

        Messages of other sessions and complaints from non-recipients are ignored. Raises
        ThresholdError if fewer than ``min_qualified`` dealers qualify, or if a qualified dealer
        gave us no valid share because our own complaint is missing from ``complaints``.
        """
        if self._qualified is not None:
            return self._qualified
        disputed = {
            (c.dealer, c.complainer)
            for c in complaints
            if self._same_session(c.session_id)
            and c.dealer in self._deals
            and c.complainer in self.recipients
        }
        answers: dict[tuple[int, int], set[int]] = {}
        for r in reveals:
            if self._same_session(r.session_id):
                answers.setdefault((r.dealer, r.complainer), set()).add(r.share)
        disqualified = set(self._malformed)
        adopted: dict[int, int] = {}
        for dealer, complainer in sorted(disputed):
            revealed = answers.get((dealer, complainer), set())
            if len(revealed) != 1:  # no answer, or two different answers
                disqualified.add(dealer)
                continue
            (value,) = revealed
            try:
                check_share(self._deals[dealer].commitments, complainer, value)
            except ProofError:
                disqualified.add(dealer)
            else:
                if complainer == self.index:
                    adopted[dealer] = value
        qualified = frozenset(self._deals) - disqualified
        for dealer in qualified:
            if dealer not in self._shares and dealer not in adopted:
                raise ThresholdError(
                    f"no valid share from qualified dealer {dealer}: pass our own complaint "
                    "against it to resolve()"
                )
        if len(qualified) < self._min_qualified:
            raise ThresholdError(
                f"only {len(qualified)} dealers qualified; at least {self._min_qualified} needed"
            )
        self._shares.update(adopted)
        self._qualified = qualified
        return qualified

    @property
    def qualified(self) -> frozenset[int]:
        """The qualified dealers; raises ThresholdError before :meth:`resolve`."""
        if self._qualified is None:
            raise ThresholdError("protocol step out of order: resolve() has not run")
        return self._qualified

    def share_from(self, dealer: int) -> int:
        """The verified share a qualified dealer gave us."""
        return self._shares[dealer]

    def commitments_of(self, dealer: int) -> tuple[Point, ...]:
        """The commitments a dealer broadcast."""
        return self._deals[dealer].commitments
