"""Shamir secret sharing over the secp256k1 scalar field Z_N.

A secret ``s`` is the constant term of a random polynomial ``f`` of degree ``t - 1``; holder
``i`` (``1 ≤ i ≤ n``) gets ``f(i)``. Any ``t`` shares give back ``s`` by Lagrange interpolation
at 0; fewer give no information about it. :func:`combine_points` interpolates "in the
exponent": from points ``f(i)·X`` it returns ``f(0)·X`` without anyone learning ``f``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from veritee.crypto._common import Rng, default_rng
from veritee.crypto.secp256k1 import N, Point, mul, random_scalar, sum_points
from veritee.exceptions import ThresholdError

__all__ = [
    "Polynomial",
    "Share",
    "combine",
    "combine_points",
    "lagrange_coefficient",
    "split",
]

MAX_PARTIES = 1 << 16
"""An upper bound on ``n``: indices travel as 2-byte integers in the wire formats."""


@dataclass(frozen=True)
class Polynomial:
    """A polynomial over Z_N; ``coefficients[k]`` multiplies ``x**k``. Its constant is secret."""

    coefficients: tuple[int, ...] = field(repr=False)

    def __post_init__(self) -> None:
        if not self.coefficients:
            raise ValueError("a polynomial needs at least one coefficient")
        if any(not 0 <= c < N for c in self.coefficients):
            raise ValueError("polynomial coefficients must be reduced modulo N")

    @classmethod
    def random(cls, constant: int, degree: int, rng: Rng = default_rng) -> Polynomial:
        """A polynomial with constant term ``constant`` and ``degree`` random coefficients."""
        if degree < 0:
            raise ValueError("the degree must be non-negative")
        return cls((constant % N, *(random_scalar(rng) for _ in range(degree))))

    @property
    def degree(self) -> int:
        """The nominal degree, ``len(coefficients) - 1``."""
        return len(self.coefficients) - 1

    def __call__(self, x: int) -> int:
        """``f(x) mod N``, by Horner's rule."""
        acc = 0
        for c in reversed(self.coefficients):
            acc = (acc * x + c) % N
        return acc


@dataclass(frozen=True)
class Share:
    """Holder ``index``'s share ``f(index)`` of a secret. ``value`` never appears in ``repr``."""

    index: int
    value: int = field(repr=False)


def check_parameters(t: int, n: int) -> None:
    """Raise ValueError unless ``1 ≤ t ≤ n ≤`` :data:`MAX_PARTIES`."""
    if not 1 <= t <= n <= MAX_PARTIES:
        raise ValueError(f"threshold parameters must satisfy 1 <= t <= n <= {MAX_PARTIES}")


def split(secret: int, t: int, n: int, rng: Rng = default_rng) -> list[Share]:
    """Split ``secret`` (mod N) into ``n`` shares, indices 1..n, any ``t`` of which rebuild it."""
    check_parameters(t, n)
    polynomial = Polynomial.random(secret, t - 1, rng)
    return [Share(i, polynomial(i)) for i in range(1, n + 1)]


def _distinct_indices(indices: Iterable[int]) -> tuple[int, ...]:
    result = tuple(indices)
    if len(set(result)) != len(result):
        raise ThresholdError("share indices must be distinct")
    if any(not 0 < i < N for i in result):
        raise ThresholdError("share indices must be in [1, N)")
    return result


def lagrange_coefficient(i: int, indices: Iterable[int], at: int = 0) -> int:
    """The Lagrange basis polynomial of ``i`` over ``indices``, evaluated at ``at``, mod N.

    ``Σ_i lagrange_coefficient(i, indices, at) · f(i) = f(at)`` for any ``f`` of degree below
    ``len(indices)``.
    """
    points = _distinct_indices(indices)
    if i not in points:
        raise ThresholdError(f"index {i} is not among the interpolation indices")
    numerator, denominator = 1, 1
    for j in points:
        if j != i:
            numerator = numerator * (at - j) % N
            denominator = denominator * (i - j) % N
    return numerator * pow(denominator, -1, N) % N


def combine(shares: Iterable[Share]) -> int:
    """Interpolate ``shares`` at 0. With ``t`` or more shares of one secret, that is the secret."""
    shares = list(shares)
    if not shares:
        raise ThresholdError("no shares to combine")
    indices = _distinct_indices(share.index for share in shares)
    return sum(lagrange_coefficient(s.index, indices) * s.value for s in shares) % N


def combine_points(points: Mapping[int, Point]) -> Point:
    """Interpolate ``{i: f(i)·X}`` at 0 in the exponent, giving ``f(0)·X``.

    Raises ThresholdError if ``points`` is empty or the result is the point at infinity.
    """
    if not points:
        raise ThresholdError("no points to combine")
    indices: Sequence[int] = _distinct_indices(points)
    return sum_points(mul(lagrange_coefficient(i, indices), points[i]) for i in indices)
