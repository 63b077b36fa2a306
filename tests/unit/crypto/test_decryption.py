"""Decryption shares: verification, combination, and lying gatekeepers caught and reported."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.unit.crypto.support import SeededRng, dealt_key_shares
from veritee.crypto.secp256k1 import Point, mul, mul_base
from veritee.crypto.threshold.decryption import (
    SHARE_SIZE,
    DecryptionShare,
    combine,
    make_share,
    verify_share,
)
from veritee.exceptions import ProofError, ThresholdError

SECRET, KEY_SHARES = dealt_key_shares(3, 5, "decryption")
PUBLIC_SHARES = KEY_SHARES[0].public_shares
R = mul_base(424242)
CONTEXT = b"capsule-7"


def shares_for(
    indices: list[int], point: Point = R, context: bytes = CONTEXT
) -> list[DecryptionShare]:
    return [
        make_share(KEY_SHARES[i - 1], point, context, rng=SeededRng(("share", i))) for i in indices
    ]


def lie(share: DecryptionShare) -> DecryptionShare:
    """A gatekeeper answering with a random point, and a proof made for its true share."""
    return replace(share, point=mul_base(777 + share.index))


def test_share_verifies_and_serializes() -> None:
    (share,) = shares_for([2])
    assert share.point == mul(KEY_SHARES[1].secret, R)
    verify_share(PUBLIC_SHARES[2], R, share, CONTEXT)
    data = share.to_bytes()
    assert len(data) == SHARE_SIZE
    assert DecryptionShare.from_bytes(data) == share


def test_share_is_bound_to_its_index_context_and_point() -> None:
    (share,) = shares_for([2])
    with pytest.raises(ProofError):
        verify_share(PUBLIC_SHARES[2], R, share, b"capsule-8")
    with pytest.raises(ProofError):
        verify_share(PUBLIC_SHARES[2], mul_base(5), share, CONTEXT)
    with pytest.raises(ProofError):
        verify_share(PUBLIC_SHARES[3], R, replace(share, index=3), CONTEXT)


def test_combine_gives_s_times_r() -> None:
    result = combine(shares_for([1, 3, 5]), PUBLIC_SHARES, 3, R, CONTEXT)
    assert result.point == mul(SECRET, R)
    assert result.bad_indices == ()


def test_lying_gatekeeper_is_dropped_and_reported() -> None:
    shares = shares_for([1, 2, 3, 4])
    shares[1] = lie(shares[1])
    result = combine(shares, PUBLIC_SHARES, 3, R, CONTEXT)
    assert result.point == mul(SECRET, R)
    assert result.bad_indices == (2,)


def test_unknown_index_and_wrong_context_are_bad() -> None:
    shares = shares_for([1, 2, 3])
    stranger = replace(shares[0], index=9)
    replayed = shares_for([4], context=b"capsule-8")[0]
    result = combine([*shares, stranger, replayed], PUBLIC_SHARES, 3, R, CONTEXT)
    assert result.point == mul(SECRET, R)
    assert result.bad_indices == (4, 9)


def test_duplicate_honest_share_counts_once() -> None:
    shares = shares_for([1, 2])
    with pytest.raises(ThresholdError, match=r"only 2 valid decryption shares, 3 needed$"):
        combine([*shares, shares[0]], PUBLIC_SHARES, 3, R, CONTEXT)


def test_too_few_honest_shares() -> None:
    shares = shares_for([1, 2, 3])
    shares[0] = lie(shares[0])
    with pytest.raises(
        ThresholdError,
        match=r"^only 2 valid decryption shares, 3 needed; bad shares from gatekeepers \[1\]$",
    ):
        combine(shares, PUBLIC_SHARES, 3, R, CONTEXT)


@pytest.mark.parametrize(
    "data", [b"", b"\x02" + bytes(SHARE_SIZE - 1), b"\x01" + bytes(SHARE_SIZE - 1)]
)
def test_malformed_share_bytes(data: bytes) -> None:
    with pytest.raises(ProofError):
        DecryptionShare.from_bytes(data)
