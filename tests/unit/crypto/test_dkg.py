"""JF-DKG: honest runs, cheating and silent dealers, false complaints, replays, step order."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from tests.unit.crypto.support import (
    CEREMONY,
    DkgRun,
    make_participants,
    run_dkg,
)
from veritee.crypto.secp256k1 import N, mul_base
from veritee.crypto.threshold.dkg import DkgParticipant
from veritee.crypto.threshold.messages import Complaint
from veritee.crypto.threshold.shamir import combine
from veritee.exceptions import ThresholdError


class CheatingDealer(DkgParticipant):
    """Sends participant 2 a share off by one, and stands by it when challenged."""

    victim = 2

    def _share_for(self, recipient: int) -> int:
        share = super()._share_for(recipient)
        return (share + 1) % N if recipient == self.victim else share


def constant_terms(run: DkgRun, qualified: frozenset[int]) -> int:
    # Test-only peek at each dealer's a_i0, to check S = (Σ a_i0)·G without trusting the DKG.
    return sum(p._polynomial.coefficients[0] for p in run.participants if p.index in qualified) % N


def assert_consistent(run: DkgRun, qualified: frozenset[int]) -> None:
    assert all(q == qualified for q in run.qualified)
    first = run.key_shares[0]
    secret = constant_terms(run, qualified)
    assert first.public_key == mul_base(secret)
    for share in run.key_shares:
        assert share.public_key == first.public_key
        assert dict(share.public_shares) == dict(first.public_shares)
        assert share.public_shares[share.index] == mul_base(share.secret)
    for subset in itertools.combinations(run.key_shares, first.t):
        assert combine(s.share for s in subset) == secret


@pytest.mark.parametrize(("t", "n"), [(2, 3), (3, 5)])
def test_honest_run(t: int, n: int) -> None:
    run = run_dkg(make_participants(t, n, seed=("honest", t, n)))
    assert run.complaints == [] and run.reveals == []
    assert_consistent(run, frozenset(range(1, n + 1)))
    assert {(s.t, s.n) for s in run.key_shares} == {(t, n)}


def test_fewer_than_t_shares_do_not_give_the_secret() -> None:
    run = run_dkg(make_participants(3, 5, seed="below-threshold"))
    secret = constant_terms(run, frozenset(range(1, 6)))
    for subset in itertools.combinations(run.key_shares, 2):
        assert combine(s.share for s in subset) != secret


@pytest.mark.parametrize(("t", "n"), [(2, 3), (3, 5)])
def test_cheating_dealer_is_excluded(t: int, n: int) -> None:
    run = run_dkg(make_participants(t, n, seed=("cheat", t, n), classes={1: CheatingDealer}))
    assert [(c.complainer, c.dealer) for c in run.complaints] == [(2, 1)]
    assert len(run.reveals) == 1  # the dealer answered, with the same bad share
    assert_consistent(run, frozenset(range(2, n + 1)))


def test_silent_dealer_is_excluded() -> None:
    run = run_dkg(
        make_participants(3, 5, seed="silent", classes={4: CheatingDealer}),
        silent=frozenset({4}),
    )
    assert run.reveals == []
    assert_consistent(run, frozenset({1, 2, 3, 5}))


def test_false_complaint_is_ignored() -> None:
    participants = make_participants(2, 3, seed="false-complaint")
    liar = Complaint(participants[0].session_id, complainer=3, dealer=1)
    run = run_dkg(participants, extra_complaints=[liar])
    assert [r.dealer for r in run.reveals] == [1]
    assert_consistent(run, frozenset({1, 2, 3}))


def test_complainer_adopts_the_revealed_share() -> None:
    participants = make_participants(2, 3, seed="adopt")
    deals = [p.deal() for p in participants]
    broken = replace(deals[0], encrypted_shares={**deals[0].encrypted_shares, 2: b"garbage"})
    complaint = participants[1].receive(broken)
    assert complaint == Complaint(participants[0].session_id, complainer=2, dealer=1)
    participants[1].receive(deals[2])
    participants[2].receive(deals[0])
    participants[2].receive(deals[1])
    participants[0].receive(deals[1])
    participants[0].receive(deals[2])
    reveal = participants[0].answer(complaint)
    for p in participants:
        assert p.resolve([complaint], [reveal]) == frozenset({1, 2, 3})
    shares = [p.finalize() for p in participants]
    assert shares[1].public_shares[2] == mul_base(shares[1].secret)


def test_too_few_qualified_dealers() -> None:
    classes: dict[int, type[DkgParticipant]] = {1: CheatingDealer, 3: CheatingDealer}
    participants = make_participants(2, 3, seed="too-few", classes=classes)
    with pytest.raises(ThresholdError, match="only 1 dealers qualified; at least 2 needed"):
        run_dkg(participants)


def test_replayed_deal_from_another_session_is_rejected() -> None:
    old = make_participants(2, 3, seed="replay")
    new = make_participants(2, 3, seed="replay", ceremony=replace(CEREMONY, epoch=2))
    assert old[0].session_id != new[0].session_id
    with pytest.raises(ThresholdError, match="another session"):
        new[1].receive(old[0].deal())


def test_deal_relabelled_to_this_session_does_not_open() -> None:
    old = make_participants(2, 3, seed="relabel")
    new = make_participants(2, 3, seed="relabel", ceremony=replace(CEREMONY, epoch=2))
    forged = replace(old[0].deal(), session_id=new[0].session_id)
    assert new[1].receive(forged) == Complaint(new[0].session_id, complainer=2, dealer=1)


def test_malformed_deal_disqualifies_even_with_a_good_reveal() -> None:
    participants = make_participants(2, 3, seed="malformed")
    deals = [p.deal() for p in participants]
    short = replace(deals[0], commitments=deals[0].commitments[:1])
    complaints = [c for p in participants[1:] if (c := p.receive(short)) is not None]
    assert len(complaints) == 2
    for p, others in ((participants[1], deals[2]), (participants[2], deals[1])):
        p.receive(others)
    reveals = [participants[0].answer(c) for c in complaints]  # truthful reveals
    assert participants[1].resolve(complaints, reveals) == frozenset({2, 3})


def test_protocol_order_and_idempotence() -> None:
    participants = make_participants(2, 3, seed="order")
    p1, p2, _ = participants
    with pytest.raises(ThresholdError, match="deal\\(\\) before resolve"):
        p1.resolve([], [])
    with pytest.raises(ThresholdError, match="out of order"):
        p1.finalize()
    deal = p1.deal()
    assert p1.deal() is deal
    assert p1.receive(deal) is None  # our own broadcast, echoed back
    with pytest.raises(ThresholdError, match="claims to come from us"):
        p1.receive(replace(p2.deal(), dealer=1))
    assert p2.receive(deal) is None
    assert p2.receive(deal) is None  # the same deal twice is harmless
    with pytest.raises(ThresholdError, match="two different deals"):
        p2.receive(replace(deal, encrypted_shares={}))


def test_answer_checks_the_complaint() -> None:
    participants = make_participants(2, 3, seed="answer")
    p1 = participants[0]
    complaint = Complaint(p1.session_id, complainer=2, dealer=1)
    with pytest.raises(ThresholdError, match="not dealt"):
        p1.answer(complaint)
    p1.deal()
    with pytest.raises(ThresholdError, match="not about a share we dealt"):
        p1.answer(Complaint(p1.session_id, complainer=2, dealer=3))
    with pytest.raises(ThresholdError, match="another session"):
        p1.answer(Complaint(bytes(32), complainer=2, dealer=1))
    assert p1.answer(complaint).share == p1._polynomial(2)


def test_constructor_validation() -> None:
    participants = make_participants(2, 3, seed="ctor")
    key = participants[0]._receiver._key
    roster = dict(participants[0]._keys)
    with pytest.raises(ValueError, match=r"1\.\.3"):
        DkgParticipant(4, 2, 3, key, roster, CEREMONY)
    with pytest.raises(ValueError, match="different key"):
        DkgParticipant(2, 2, 3, key, roster, CEREMONY)
    with pytest.raises(ValueError, match="roster"):
        DkgParticipant(1, 2, 3, key, {2: roster[2]}, CEREMONY)
    own_left_out = {j: k for j, k in roster.items() if j != 1}
    assert DkgParticipant(1, 2, 3, key, own_left_out, CEREMONY).session_id == (
        participants[0].session_id
    )


def test_key_share_repr_hides_the_secret() -> None:
    share = run_dkg(make_participants(2, 3, seed="repr")).key_shares[0]
    assert str(share.secret) not in repr(share)
    assert hex(share.secret)[2:] not in repr(share)
