"""Wire formats of the dealing messages, and the resolution rules they feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from tests.unit.crypto.support import CEREMONY, make_participants
from veritee.crypto.threshold.messages import CeremonyContext, Complaint, DealMessage, Reveal
from veritee.exceptions import ThresholdError

PARTICIPANTS = make_participants(2, 3, seed="messages")
DEAL = PARTICIPANTS[0].deal()
SESSION = DEAL.session_id


def test_round_trips() -> None:
    assert DealMessage.from_bytes(DEAL.to_bytes()) == DEAL
    complaint = Complaint(SESSION, complainer=2, dealer=1)
    assert Complaint.from_bytes(complaint.to_bytes()) == complaint
    reveal = Reveal(SESSION, dealer=1, complainer=2, share=12345)
    assert Reveal.from_bytes(reveal.to_bytes()) == reveal
    assert DEAL.to_bytes()[:2] == b"\x01\x01"
    assert complaint.to_bytes()[:2] == b"\x01\x02"
    assert reveal.to_bytes()[:2] == b"\x01\x03"


@pytest.mark.parametrize(
    ("parse", "data", "message"),
    [
        (DealMessage.from_bytes, DEAL.to_bytes()[:-1], "truncated"),
        (DealMessage.from_bytes, DEAL.to_bytes() + b"\x00", "trailing"),
        (DealMessage.from_bytes, b"\x02" + DEAL.to_bytes()[1:], "version-1"),
        (DealMessage.from_bytes, Complaint(SESSION, 2, 1).to_bytes(), "version-1 deal"),
        (Complaint.from_bytes, b"\x01\x02" + SESSION + b"\x00", "truncated"),
        (Reveal.from_bytes, Reveal(SESSION, 1, 2, 3).to_bytes() + b"\x00", "trailing"),
    ],
)
def test_malformed_messages(parse: Callable[[bytes], object], data: bytes, message: str) -> None:
    with pytest.raises(ThresholdError, match=message):
        parse(data)


def test_deal_with_a_bad_commitment_or_duplicate_recipient() -> None:
    data = bytearray(DEAL.to_bytes())
    first_commitment = 2 + 32 + 2 + 2
    data[first_commitment] = 0x05
    with pytest.raises(ThresholdError, match="not a curve point"):
        DealMessage.from_bytes(bytes(data))
    two = replace(DEAL, encrypted_shares={2: b"a", 3: b"b"}).to_bytes()
    duplicated = two.replace(b"\x00\x03\x00\x00\x00\x01b", b"\x00\x02\x00\x00\x00\x01b")
    with pytest.raises(ThresholdError, match="two shares for one recipient"):
        DealMessage.from_bytes(duplicated)


def test_session_ids_are_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Complaint(b"short", 1, 2)


def test_ceremony_context_validation() -> None:
    with pytest.raises(ValueError):
        CeremonyContext(1, "not an address", 1)
    with pytest.raises(ValueError):
        CeremonyContext(1, CEREMONY.contract, -1)


def test_foreign_and_conflicting_messages_in_resolve() -> None:
    p1, p2, p3 = make_participants(2, 3, seed="resolve")
    deals = [p.deal() for p in (p1, p2, p3)]
    for p in (p1, p2, p3):
        for d in deals:
            p.receive(d)
    foreign = Complaint(bytes(32), complainer=2, dealer=1)  # another session: ignored
    against_3 = Complaint(p1.session_id, complainer=2, dealer=3)
    good = p3.answer(against_3)
    # In a run every party sees the same lists; here two parties show the two rules apart:
    # two different answers to one complaint disqualify the dealer, one good answer clears it.
    conflicting = replace(good, share=good.share + 1)
    assert p1.resolve([foreign, against_3], [good, conflicting]) == frozenset({1, 2})
    assert p2.resolve([foreign, against_3], [good]) == frozenset({1, 2, 3})


def test_own_complaint_must_reach_resolve() -> None:
    p1, p2, p3 = make_participants(2, 3, seed="own-complaint")
    deal = p1.deal()
    broken = replace(deal, encrypted_shares={**deal.encrypted_shares, 2: b"x"})
    assert p2.receive(broken) is not None
    p2.receive(p3.deal())
    p2.deal()
    with pytest.raises(ThresholdError, match="no valid share from qualified dealer 1"):
        p2.resolve([], [])
