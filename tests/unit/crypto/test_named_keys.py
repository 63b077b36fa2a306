"""Named keys: deterministic per context, separated between contexts, robust to liars."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from tests.unit.crypto.support import SeededRng, dealt_key_shares
from veritee.crypto.secp256k1 import mul, mul_base
from veritee.crypto.threshold.feldman import KeyShare
from veritee.crypto.threshold.named_keys import (
    derive_named_key,
    make_named_share,
    named_key_from_point,
    named_point,
    verify_named_share,
)
from veritee.crypto.threshold.shamir import split
from veritee.exceptions import ProofError, ThresholdError

SECRET, KEY_SHARES = dealt_key_shares(2, 3, "named")
PUBLIC_SHARES = KEY_SHARES[0].public_shares
CTX = b"worker-sealing/measurement/ab12cd34"


def derive(ctx: bytes, holders: tuple[int, ...] = (1, 2)) -> bytes:
    shares = [make_named_share(KEY_SHARES[i - 1], ctx, rng=SeededRng((ctx, i))) for i in holders]
    return derive_named_key(shares, PUBLIC_SHARES, 2, ctx).key


def test_same_context_same_key_from_any_t_holders() -> None:
    keys = {derive(CTX, pair) for pair in itertools.combinations((1, 2, 3), 2)}
    assert keys == {named_key_from_point(mul(SECRET, named_point(CTX)), CTX)}
    assert len(next(iter(keys))) == 32


def test_contexts_are_separated() -> None:
    assert derive(CTX) != derive(CTX + b"!")
    assert derive(b"agent-wallet/1") != derive(b"agent-wallet/2")


def test_key_depends_on_the_secret_not_on_how_it_is_shared() -> None:
    # What a resharing preserves (s) is all the key depends on.
    resplit = split(SECRET, 3, 4, SeededRng("resplit"))
    public = {s.index: mul_base(s.value) for s in resplit}
    key_shares = [KeyShare(s.index, 3, 4, s.value, mul_base(SECRET), public) for s in resplit]
    shares = [make_named_share(k, CTX) for k in key_shares[1:]]
    assert derive_named_key(shares, public, 3, CTX).key == derive(CTX)
    _, unrelated = dealt_key_shares(2, 3, "another-network")
    other = [make_named_share(k, CTX) for k in unrelated[:2]]
    assert derive_named_key(other, unrelated[0].public_shares, 2, CTX).key != derive(CTX)


def test_named_share_is_verified() -> None:
    share = make_named_share(KEY_SHARES[0], CTX)
    verify_named_share(PUBLIC_SHARES[1], CTX, share)
    with pytest.raises(ProofError):
        verify_named_share(PUBLIC_SHARES[1], CTX + b"x", share)
    with pytest.raises(ProofError):
        verify_named_share(PUBLIC_SHARES[2], CTX, share)


def test_liar_is_reported_and_too_few_raises() -> None:
    shares = [make_named_share(k, CTX) for k in KEY_SHARES]
    shares[2] = replace(shares[2], point=mul_base(3))
    derived = derive_named_key(shares, PUBLIC_SHARES, 2, CTX)
    assert derived.key == derive(CTX)
    assert derived.bad_indices == (3,)
    with pytest.raises(ThresholdError, match="only 1 valid"):
        derive_named_key(shares[1:], PUBLIC_SHARES, 2, CTX)
