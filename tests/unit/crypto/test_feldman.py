"""Feldman commitments, share checks, and the KeyShare a gatekeeper keeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from tests.unit.crypto.support import SeededRng, dealt_key_shares
from veritee.crypto.secp256k1 import N, mul_base
from veritee.crypto.threshold.feldman import (
    KeyShare,
    check_share,
    commit,
    public_share,
    public_shares,
    sum_commitments,
)
from veritee.crypto.threshold.shamir import Polynomial
from veritee.exceptions import ProofError, ThresholdError

F = Polynomial.random(1234, 2, SeededRng("f"))
G_ = Polynomial.random(5678, 2, SeededRng("g"))


def test_commitments_fix_every_share() -> None:
    commitments = commit(F)
    assert commitments[0] == mul_base(1234)
    for j in range(1, 6):
        check_share(commitments, j, F(j))
        assert public_share(commitments, j) == mul_base(F(j))
    assert public_shares(commitments, [1, 2]) == {1: mul_base(F(1)), 2: mul_base(F(2))}


@pytest.mark.parametrize("value", [0, N, -1])
def test_out_of_range_share(value: int) -> None:
    with pytest.raises(ProofError, match="not a non-zero scalar"):
        check_share(commit(F), 1, value)


def test_wrong_share_or_index() -> None:
    commitments = commit(F)
    with pytest.raises(ProofError, match="does not match the commitments"):
        check_share(commitments, 1, (F(1) + 1) % N)
    with pytest.raises(ProofError, match="does not match the commitments"):
        check_share(commitments, 2, F(1))
    with pytest.raises(ProofError, match="no share"):
        check_share((), 1, F(1))


def test_sum_commitments_commits_to_the_weighted_sum() -> None:
    summed = sum_commitments([commit(F), commit(G_)], [3, 5])
    combined = Polynomial(
        tuple((3 * a + 5 * b) % N for a, b in zip(F.coefficients, G_.coefficients, strict=True))
    )
    assert summed == commit(combined)
    assert sum_commitments([commit(F), commit(G_)])[0] == mul_base(1234 + 5678)
    with pytest.raises(ThresholdError, match="equally long"):
        sum_commitments([commit(F), commit(F)[:2]])


def test_key_share_serialization_round_trip() -> None:
    _, shares = dealt_key_shares(2, 3, "serialize")
    for share in shares:
        data = share.to_bytes()
        assert len(data) == 7 + 32 + 33 * 4
        assert KeyShare.from_bytes(data) == share


@pytest.mark.parametrize(
    "mangle",
    [
        lambda d: d[:-1],
        lambda d: b"\x02" + d[1:],
        lambda d: d[:7] + (int.from_bytes(d[7:39], "big") ^ 1).to_bytes(32, "big") + d[39:],
        lambda d: d[:39] + b"\x05" + d[40:],
        lambda d: d[:1] + b"\x00\x09" + d[3:],
    ],
    ids=["truncated", "version", "secret", "point", "index"],
)
def test_key_share_rejects_bad_encodings(mangle: Callable[[bytes], bytes]) -> None:
    _, shares = dealt_key_shares(2, 3, "serialize")
    with pytest.raises(ThresholdError):
        KeyShare.from_bytes(mangle(shares[0].to_bytes()))


def test_key_share_validation() -> None:
    _, shares = dealt_key_shares(2, 3, "validate")
    share = shares[0]
    with pytest.raises(ThresholdError, match="does not match its public share"):
        replace(share, secret=share.secret + 1)
    with pytest.raises(ThresholdError, match=r"cover indices 1\.\.n"):
        replace(share, public_shares={1: share.public_shares[1]})
    with pytest.raises(ThresholdError, match="do not interpolate to the public key"):
        replace(share, public_key=mul_base(99))
    with pytest.raises(ValueError, match="1 <= t <= n"):
        replace(share, t=4)
    assert str(share.secret) not in repr(share)
