"""Resharing to a new set and threshold keeps S; cheating old holders are caught."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import pytest

from tests.unit.crypto.support import (
    CEREMONY,
    SeededRng,
    make_participants,
    public_keys,
    run_dkg,
    x25519_keys,
)
from veritee.crypto.secp256k1 import N, mul, mul_base
from veritee.crypto.threshold.decryption import make_share
from veritee.crypto.threshold.ecies import CapsuleContext, data_key_from_shares, seal_key_to_network
from veritee.crypto.threshold.feldman import KeyShare
from veritee.crypto.threshold.messages import CeremonyContext, Complaint
from veritee.crypto.threshold.named_keys import (
    derive_named_key,
    make_named_share,
    named_key_from_point,
    named_point,
)
from veritee.crypto.threshold.reshare import ReshareDealer, ReshareReceiver
from veritee.crypto.threshold.shamir import Polynomial, combine
from veritee.exceptions import ThresholdError

NEXT = replace(CEREMONY, epoch=2)


class CheatingReshareDealer(ReshareDealer):
    victim = 1

    def _share_for(self, recipient: int) -> int:
        share = super()._share_for(recipient)
        return (share + 1) % N if recipient == self.victim else share


def network_secret(shares: Sequence[KeyShare]) -> int:
    return combine(s.share for s in shares[: shares[0].t])


def reshare(
    old: Sequence[KeyShare],
    new_t: int,
    new_n: int,
    *,
    dealers: Sequence[int] | None = None,
    cheaters: frozenset[int] = frozenset(),
    ceremony: CeremonyContext = NEXT,
    seed: object = "reshare",
) -> tuple[list[KeyShare], list[Complaint], list[frozenset[int]]]:
    keys = x25519_keys(new_n, (seed, "new-keys"))
    roster = public_keys(keys)
    chosen = [s for s in old if dealers is None or s.index in dealers]
    old_dealers = [
        (CheatingReshareDealer if s.index in cheaters else ReshareDealer)(
            s, new_t, roster, ceremony, rng=SeededRng((seed, "dealer", s.index))
        )
        for s in chosen
    ]
    reference = old[0]
    receivers = [
        ReshareReceiver(
            j,
            keys[j],
            new_t,
            roster,
            reference.t,
            reference.public_key,
            reference.public_shares,
            ceremony,
        )
        for j in range(1, new_n + 1)
    ]
    deals = [d.deal() for d in old_dealers]
    complaints = [c for r in receivers for d in deals if (c := r.receive(d)) is not None]
    by_index = {d.index: d for d in old_dealers}
    reveals = [by_index[c.dealer].answer(c) for c in complaints]
    qualified = [r.resolve(complaints, reveals) for r in receivers]
    return [r.finalize() for r in receivers], complaints, qualified


def assert_same_key(old: Sequence[KeyShare], new: Sequence[KeyShare], new_t: int) -> None:
    secret = network_secret(old)
    for share in new:
        assert share.public_key == old[0].public_key == mul_base(secret)
        assert dict(share.public_shares) == dict(new[0].public_shares)
        assert share.public_shares[share.index] == mul_base(share.secret)
        assert (share.t, share.n) == (new_t, len(new))
    for subset in itertools.combinations(new, new_t):
        assert combine(s.share for s in subset) == secret
    if new_t > 1:
        assert combine(s.share for s in new[: new_t - 1]) != secret


@pytest.mark.parametrize(("old_tn", "new_tn"), [((2, 3), (3, 5)), ((3, 5), (2, 3))])
def test_reshare_keeps_the_key(old_tn: tuple[int, int], new_tn: tuple[int, int]) -> None:
    old = run_dkg(make_participants(*old_tn, seed=("old", old_tn))).key_shares
    new, complaints, qualified = reshare(old, *new_tn, seed=("new", new_tn))
    assert complaints == []
    assert qualified[0] == frozenset(range(1, old_tn[1] + 1))
    assert_same_key(old, new, new_tn[0])


def test_exactly_t_old_holders_suffice() -> None:
    old = run_dkg(make_participants(3, 5, seed="t-only")).key_shares
    new, _, qualified = reshare(old, 2, 4, dealers=[2, 4, 5])
    assert qualified[0] == frozenset({2, 4, 5})
    assert_same_key(old, new, 2)


def test_reshare_twice() -> None:
    old = run_dkg(make_participants(2, 3, seed="twice")).key_shares
    middle, _, _ = reshare(old, 3, 4, seed="first")
    last, _, _ = reshare(middle, 2, 2, ceremony=replace(CEREMONY, epoch=3), seed="second")
    assert_same_key(old, last, 2)


def test_cheating_old_holder_is_excluded() -> None:
    old = run_dkg(make_participants(2, 3, seed="cheat")).key_shares
    new, complaints, qualified = reshare(old, 3, 5, cheaters=frozenset({3}))
    assert [(c.complainer, c.dealer) for c in complaints] == [(1, 3)]
    assert all(q == frozenset({1, 2}) for q in qualified)
    assert_same_key(old, new, 3)


def test_too_few_honest_old_holders() -> None:
    old = run_dkg(make_participants(2, 3, seed="few")).key_shares
    with pytest.raises(ThresholdError, match="only 1 dealers qualified; at least 2 needed"):
        reshare(old, 2, 3, dealers=[1, 2], cheaters=frozenset({2}))


def test_dealer_resharing_another_secret_is_excluded() -> None:
    old = run_dkg(make_participants(2, 3, seed="constant")).key_shares
    keys = x25519_keys(3, "constant-keys")
    roster = public_keys(keys)
    receivers = [
        ReshareReceiver(j, keys[j], 2, roster, 2, old[0].public_key, old[0].public_shares, NEXT)
        for j in (1, 2, 3)
    ]
    dealers = [ReshareDealer(s, 2, roster, NEXT) for s in old]
    # Dealer 1 deals a consistent polynomial, but of a secret other than its share: its C_0 is
    # not its on-chain public share, so a good reveal cannot save it.
    dealers[0]._polynomial = Polynomial.random(old[0].secret + 1, 1, SeededRng("other"))
    deals = [d.deal() for d in dealers]
    complaints = [c for r in receivers for d in deals if (c := r.receive(d)) is not None]
    assert sorted((c.complainer, c.dealer) for c in complaints) == [(1, 1), (2, 1), (3, 1)]
    reveals = [dealers[0].answer(c) for c in complaints]
    assert {r.resolve(complaints, reveals) for r in receivers} == {frozenset({2, 3})}
    assert_same_key(old, [r.finalize() for r in receivers], 2)


def test_inconsistent_old_public_shares_are_caught() -> None:
    old = run_dkg(make_participants(2, 3, seed="inconsistent")).key_shares
    keys = x25519_keys(3, "inconsistent-keys")
    roster = public_keys(keys)
    wrong_key = mul_base(12345)  # the chain says S is something the shares do not make
    forged = []
    for share in old:
        copy = replace(share)
        object.__setattr__(copy, "public_key", wrong_key)  # past KeyShare's own check
        forged.append(copy)
    dealers = [ReshareDealer(s, 2, roster, NEXT) for s in forged]
    receiver = ReshareReceiver(1, keys[1], 2, roster, 2, wrong_key, old[0].public_shares, NEXT)
    for d in dealers:
        assert receiver.receive(d.deal()) is None
    receiver.resolve([], [])
    with pytest.raises(ThresholdError, match="does not reconstruct the network public key"):
        receiver.finalize()


def test_replay_from_another_resharing_is_rejected() -> None:
    old = run_dkg(make_participants(2, 3, seed="replay")).key_shares
    keys = x25519_keys(3, "replay-keys")
    roster = public_keys(keys)
    earlier = ReshareDealer(old[0], 2, roster, NEXT).deal()
    later = replace(CEREMONY, epoch=3)
    receiver = ReshareReceiver(
        1, keys[1], 2, roster, 2, old[0].public_key, old[0].public_shares, later
    )
    with pytest.raises(ThresholdError, match="another session"):
        receiver.receive(earlier)


def test_receiver_needs_its_own_key_in_the_roster() -> None:
    old = run_dkg(make_participants(2, 3, seed="roster")).key_shares
    keys = x25519_keys(3, "roster-keys")
    roster = public_keys(keys)
    with pytest.raises(ValueError, match="our own X25519 public key"):
        ReshareReceiver(1, keys[2], 2, roster, 2, old[0].public_key, old[0].public_shares, NEXT)


def test_capsule_and_named_keys_survive_resharing() -> None:
    old = run_dkg(make_participants(2, 3, seed="survive")).key_shares
    new, _, _ = reshare(old, 3, 4, seed="survive-new")
    context = CapsuleContext(capsule_id=9, chain_id=CEREMONY.chain_id, contract=CEREMONY.contract)
    ephemeral, data_key = seal_key_to_network(old[0].public_key, context)
    ctx = b"agent-wallet/42"
    for shares in (old[:2], new[1:]):
        public, t = shares[0].public_shares, shares[0].t
        opened = data_key_from_shares(
            [make_share(k, ephemeral, context.encode()) for k in shares],
            public,
            t,
            ephemeral,
            context,
        )
        assert opened.key == data_key
        named = derive_named_key([make_named_share(k, ctx) for k in shares], public, t, ctx)
        assert named.key == named_key_from_point(mul(network_secret(old), named_point(ctx)), ctx)
