"""Threshold ECIES end to end: a data owner seals to S, t gatekeepers' shares open it."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from tests.unit.crypto.support import CHAIN_ID, CONTRACT, SeededRng, make_participants, run_dkg
from veritee.crypto.secp256k1 import mul, mul_base
from veritee.crypto.threshold.decryption import make_share
from veritee.crypto.threshold.ecies import (
    CapsuleContext,
    data_key_from_point,
    data_key_from_shares,
    seal_capsule_key,
    seal_key_to_network,
)
from veritee.exceptions import ThresholdError

CONTEXT = CapsuleContext(capsule_id=7, chain_id=CHAIN_ID, contract=CONTRACT)
KEY_SHARES = run_dkg(make_participants(2, 3, seed="ecies")).key_shares
NETWORK_KEY = KEY_SHARES[0].public_key
PUBLIC_SHARES = KEY_SHARES[0].public_shares


def test_any_two_of_three_gatekeepers_recover_the_data_key() -> None:
    ephemeral, data_key = seal_key_to_network(NETWORK_KEY, CONTEXT, rng=SeededRng("owner"))
    assert len(data_key) == 32
    for pair in itertools.combinations(KEY_SHARES, 2):
        shares = [make_share(k, ephemeral, CONTEXT.encode()) for k in pair]
        derived = data_key_from_shares(shares, PUBLIC_SHARES, 2, ephemeral, CONTEXT)
        assert derived.key == data_key
        assert derived.bad_indices == ()


def test_lying_gatekeeper_is_reported_and_the_key_still_recovered() -> None:
    ephemeral, data_key = seal_key_to_network(NETWORK_KEY, CONTEXT)
    shares = [make_share(k, ephemeral, CONTEXT.encode()) for k in KEY_SHARES]
    shares[0] = replace(shares[0], point=mul_base(99))
    derived = data_key_from_shares(shares, PUBLIC_SHARES, 2, ephemeral, CONTEXT)
    assert derived.key == data_key
    assert derived.bad_indices == (1,)
    assert data_key.hex() not in repr(derived)


def test_one_gatekeeper_is_not_enough() -> None:
    ephemeral, _ = seal_key_to_network(NETWORK_KEY, CONTEXT)
    shares = [make_share(KEY_SHARES[0], ephemeral, CONTEXT.encode())]
    with pytest.raises(ThresholdError, match="only 1 valid decryption shares, 2 needed"):
        data_key_from_shares(shares, PUBLIC_SHARES, 2, ephemeral, CONTEXT)


def test_shares_for_another_capsule_are_refused() -> None:
    ephemeral, _ = seal_key_to_network(NETWORK_KEY, CONTEXT)
    other = replace(CONTEXT, capsule_id=8)
    shares = [make_share(k, ephemeral, other.encode()) for k in KEY_SHARES]
    with pytest.raises(ThresholdError, match=r"bad shares from gatekeepers \[1, 2, 3\]"):
        data_key_from_shares(shares, PUBLIC_SHARES, 2, ephemeral, CONTEXT)


def test_key_depends_on_every_context_field() -> None:
    point = mul(5, NETWORK_KEY)
    keys = {
        data_key_from_point(point, c)
        for c in (
            CONTEXT,
            replace(CONTEXT, capsule_id=8),
            replace(CONTEXT, chain_id=1),
            replace(CONTEXT, contract="0x" + "22" * 20),
        )
    }
    assert len(keys) == 4


def test_fresh_ephemeral_each_time_and_content_hash_context() -> None:
    first = seal_key_to_network(NETWORK_KEY, CONTEXT)
    second = seal_key_to_network(NETWORK_KEY, CONTEXT)
    assert first[0] != second[0] and first[1] != second[1]
    by_hash = CapsuleContext.for_content(bytes(31) + b"\x07", CHAIN_ID, CONTRACT)
    assert by_hash.encode() == CONTEXT.encode()
    with pytest.raises(ValueError):
        CapsuleContext.for_content(b"short", CHAIN_ID, CONTRACT)


def test_capsule_v1_context_is_rebuilt_from_the_on_chain_r_alone() -> None:
    ephemeral, data_key, context = seal_capsule_key(NETWORK_KEY, CHAIN_ID, CONTRACT)
    rebuilt = CapsuleContext.for_ephemeral(ephemeral, CHAIN_ID, CONTRACT)
    assert rebuilt == context
    shares = [make_share(k, ephemeral, rebuilt.encode()) for k in KEY_SHARES[:2]]
    assert data_key_from_shares(shares, PUBLIC_SHARES, 2, ephemeral, rebuilt).key == data_key
    other_r, _, other_context = seal_capsule_key(NETWORK_KEY, CHAIN_ID, CONTRACT)
    assert other_context != context
    assert CapsuleContext.for_ephemeral(other_r, CHAIN_ID + 1, CONTRACT) != other_context
