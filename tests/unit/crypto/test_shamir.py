"""Shamir sharing over Z_N: any t shares rebuild the secret, t - 1 do not; exponent sums too."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.crypto.support import SeededRng
from veritee.crypto.secp256k1 import N, mul_base
from veritee.crypto.threshold.shamir import (
    Polynomial,
    Share,
    combine,
    combine_points,
    lagrange_coefficient,
    split,
)
from veritee.exceptions import ThresholdError

secrets = st.integers(min_value=0, max_value=N - 1)
sizes = st.integers(min_value=1, max_value=7).flatmap(
    lambda n: st.tuples(st.integers(min_value=1, max_value=n), st.just(n))
)


@settings(max_examples=60, deadline=None)
@given(secrets, sizes, st.integers(min_value=0, max_value=2**32), st.data())
def test_any_t_subset_reconstructs(
    secret: int, tn: tuple[int, int], seed: int, data: st.DataObject
) -> None:
    t, n = tn
    shares = split(secret, t, n, SeededRng(seed))
    assert [s.index for s in shares] == list(range(1, n + 1))
    shuffled = data.draw(st.permutations(shares))
    assert combine(shuffled[: data.draw(st.integers(t, n))]) == secret


@settings(max_examples=40, deadline=None)
@given(secrets, st.integers(min_value=2, max_value=6), st.integers(min_value=0, max_value=2**32))
def test_fewer_than_t_shares_interpolate_elsewhere(secret: int, t: int, seed: int) -> None:
    shares = split(secret, t, t + 1, SeededRng(seed))
    for subset in itertools.combinations(shares, t - 1):
        # Interpolating t - 1 points fits a lower-degree polynomial: with overwhelming
        # probability its value at 0 is not the secret.
        assert combine(subset) != secret


def test_every_t_subset_of_a_small_sharing() -> None:
    shares = split(123456789, 3, 5, SeededRng("small"))
    for subset in itertools.combinations(shares, 3):
        assert combine(subset) == 123456789


def test_polynomial_evaluation_and_repr() -> None:
    f = Polynomial((5, 3, 2))
    assert [f(x) for x in range(4)] == [5, 10, 19, 32]
    assert f.degree == 2
    assert "5" not in repr(f)
    assert "424242" not in repr(Share(1, 424242))


def test_lagrange_coefficients_sum_to_one_and_interpolate_anywhere() -> None:
    indices = [1, 3, 4]
    assert sum(lagrange_coefficient(i, indices) for i in indices) % N == 1
    f = Polynomial((11, 22, 33))
    at = 7
    interpolated = sum(lagrange_coefficient(i, indices, at) * f(i) for i in indices) % N
    assert interpolated == f(at)


def test_combine_points_is_interpolation_in_the_exponent() -> None:
    secret = 987654321
    shares = split(secret, 3, 5, SeededRng("exp"))
    points = {s.index: mul_base(s.value) for s in shares[1:4]}
    assert combine_points(points) == mul_base(secret)


@pytest.mark.parametrize(("t", "n"), [(0, 3), (4, 3), (1, 0), (2, 2**16 + 1)])
def test_split_rejects_bad_parameters(t: int, n: int) -> None:
    with pytest.raises(ValueError, match="1 <= t <= n"):
        split(1, t, n)


def test_combine_rejects_duplicates_and_empty_input() -> None:
    with pytest.raises(ThresholdError, match="distinct"):
        combine([Share(1, 5), Share(1, 6)])
    with pytest.raises(ThresholdError, match="no shares"):
        combine([])
    with pytest.raises(ThresholdError, match="no points"):
        combine_points({})
    with pytest.raises(ThresholdError, match="not among"):
        lagrange_coefficient(9, [1, 2])
    with pytest.raises(ThresholdError, match=r"\[1, N\)"):
        lagrange_coefficient(0, [0, 1])
