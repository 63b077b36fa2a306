"""secp256k1 helpers, cross-checked against the pure-Python ``ecdsa`` package."""

from __future__ import annotations

import copy
import pickle

import ecdsa
import pytest
from ecdsa.ellipticcurve import INFINITY, PointJacobi
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.crypto.support import SeededRng
from veritee.crypto.secp256k1 import (
    G,
    N,
    P,
    Point,
    add,
    linear_combination,
    mul,
    mul_base,
    neg,
    random_scalar,
    scalar_bytes,
    sum_points,
)
from veritee.exceptions import CryptoError, ThresholdError

REF_G = ecdsa.SECP256k1.generator
scalars = st.integers(min_value=1, max_value=N - 1)
fast = settings(max_examples=40, deadline=None)


def ref(point: Point) -> PointJacobi:
    x, y = point.xy
    return PointJacobi.from_affine(ecdsa.ellipticcurve.Point(ecdsa.SECP256k1.curve, x, y, N))


def same(point: Point, reference: PointJacobi) -> bool:
    return point.xy == (reference.x(), reference.y())


def test_generator_and_order() -> None:
    assert same(G, REF_G)
    assert ecdsa.SECP256k1.order == N
    assert ecdsa.SECP256k1.curve.p() == P
    assert G.compressed.hex().startswith("0279be667e")


@fast
@given(scalars)
def test_mul_base_matches_reference(k: int) -> None:
    assert same(mul_base(k), REF_G * k)


@fast
@given(scalars, scalars)
def test_mul_and_add_match_reference(a: int, b: int) -> None:
    pa, pb = mul_base(a), mul_base(b)
    assert same(mul(b, pa), REF_G * (a * b % N))
    if (a + b) % N:
        assert same(add(pa, pb), ref(pa) + ref(pb))
    assert same(neg(pa), REF_G * (N - a))


@fast
@given(st.lists(scalars, min_size=1, max_size=6))
def test_sum_points_matches_reference(ks: list[int]) -> None:
    expected = INFINITY
    for k in ks:
        expected = expected + REF_G * k
    if expected == INFINITY:
        with pytest.raises(ThresholdError):
            sum_points(mul_base(k) for k in ks)
    else:
        assert same(sum_points(mul_base(k) for k in ks), expected)


@fast
@given(scalars)
def test_encodings_round_trip(k: int) -> None:
    point = mul_base(k)
    x, y = point.xy
    assert Point.from_xy(x, y) == point
    assert Point.from_bytes(bytes(point)) == point
    assert point.uncompressed() == b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")
    assert point.compressed[0] == 2 + (y & 1)


def test_infinity_is_a_threshold_error() -> None:
    point = mul_base(5)
    with pytest.raises(ThresholdError, match="infinity"):
        add(point, neg(point))
    with pytest.raises(ThresholdError, match="infinity"):
        mul_base(0)
    with pytest.raises(ThresholdError, match="infinity"):
        mul(N, point)
    with pytest.raises(ThresholdError, match="infinity"):
        sum_points([])


def test_partial_sums_may_pass_through_infinity() -> None:
    a, b = mul_base(3), mul_base(9)
    assert sum_points([a, neg(a), b]) == b


def test_scalars_are_reduced_mod_n() -> None:
    point = mul_base(7)
    assert mul(N + 2, point) == mul(2, point)
    assert mul_base(N + 1) == G
    assert scalar_bytes(N + 1) == (1).to_bytes(32, "big")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes(33),
        b"\x04" + bytes(32),
        b"\x02" + (P + 1).to_bytes(32, "big")[-32:],
        b"\x02" + (5).to_bytes(32, "big"),  # x = 5: x³ + 7 = 132 is not a square mod p
        mul_base(3).uncompressed(),  # strict: only the compressed form is canonical
    ],
)
def test_from_bytes_rejects_non_points(data: bytes) -> None:
    with pytest.raises(CryptoError):
        Point.from_bytes(data)


def test_from_xy_rejects_off_curve_and_unreduced() -> None:
    x, y = G.xy
    with pytest.raises(CryptoError, match="not a point"):
        Point.from_xy(x, y + 1)
    with pytest.raises(CryptoError, match="reduced"):
        Point.from_xy(x + P, y)


def test_random_scalar_is_in_range_and_rejects_out_of_range_draws() -> None:
    draws = iter([b"\xff" * 32, bytes(32), (12345).to_bytes(32, "big")])
    assert random_scalar(lambda n: next(draws)) == 12345
    rng = SeededRng("scalars")
    assert all(0 < random_scalar(rng) < N for _ in range(50))


@fast
@given(st.lists(st.tuples(st.integers(0, N), scalars), max_size=3), st.integers(0, N))
def test_linear_combination_matches_reference(terms: list[tuple[int, int]], base: int) -> None:
    points = [(k, mul_base(p)) for k, p in terms]
    expected = REF_G * (base % N) if base % N else INFINITY
    for k, p in terms:
        if k % N:
            expected = expected + REF_G * (k * p % N)
    if expected == INFINITY:
        with pytest.raises(ThresholdError, match="infinity"):
            linear_combination(points, base=base)
    else:
        assert same(linear_combination(points, base=base), expected)


def test_linear_combination_cancelling_to_infinity_raises() -> None:
    a = mul_base(11)
    with pytest.raises(ThresholdError, match="infinity"):
        linear_combination([(1, a), (-1, a)])
    with pytest.raises(ThresholdError, match="infinity"):
        linear_combination([(-1, a)], base=11)
    with pytest.raises(ThresholdError, match="infinity"):
        linear_combination([(0, a)])


def test_points_from_operations_equal_parsed_points_and_survive_copies() -> None:
    computed = mul(5, mul_base(7))
    parsed = Point.from_bytes(computed.compressed)
    assert computed == parsed and hash(computed) == hash(parsed)
    assert {computed: 1}[parsed] == 1
    for copied in (
        copy.copy(computed),
        copy.deepcopy(computed),
        pickle.loads(pickle.dumps(computed)),
    ):
        assert copied == computed and add(copied, G) == add(computed, G)
    assert repr(computed) == f"Point({computed.compressed.hex()})"
