"""Feldman verifiable secret sharing, and the key share a gatekeeper ends up holding.

A dealer with polynomial ``f(x) = a_0 + a_1·x + … + a_{t-1}·x^{t-1}`` publishes the commitments
``C_k = a_k·G``. Anyone can then compute ``f(j)·G = Σ_k C_k·j^k`` and so check a share ``f(j)``
without learning anything about ``f`` beyond what the commitments already fix; and anyone can
compute every holder's public share from the (summed) commitments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from veritee.crypto.secp256k1 import N, Point, mul, mul_base, scalar_bytes, sum_points
from veritee.crypto.threshold.shamir import Polynomial, Share, check_parameters, combine_points
from veritee.exceptions import CryptoError, ProofError, ThresholdError

__all__ = [
    "KeyShare",
    "check_share",
    "commit",
    "public_share",
    "public_shares",
    "sum_commitments",
]

Commitments = tuple[Point, ...]
_VERSION = 0x01


def commit(polynomial: Polynomial) -> Commitments:
    """The Feldman commitments ``a_k·G`` to every coefficient (all must be non-zero)."""
    return tuple(mul_base(a) for a in polynomial.coefficients)


def public_share(commitments: Sequence[Point], index: int) -> Point:
    """``f(index)·G = Σ_k C_k·index^k``, computed from the commitments alone."""
    if not commitments:
        raise ThresholdError("feldman: no commitments")
    return sum_points(mul(pow(index, k, N), c) for k, c in enumerate(commitments))


def public_shares(commitments: Sequence[Point], indices: Iterable[int]) -> dict[int, Point]:
    """:func:`public_share` for every index in ``indices``."""
    return {j: public_share(commitments, j) for j in indices}


def check_share(commitments: Sequence[Point], index: int, value: int) -> None:
    """Raise ProofError unless ``value·G`` equals the committed ``f(index)·G``."""
    if not 0 < value < N:
        raise ProofError(f"feldman: the share for {index} is not a non-zero scalar")
    try:
        expected = public_share(commitments, index)
    except ThresholdError as exc:
        raise ProofError(f"feldman: the commitments give no share for {index}") from exc
    if mul_base(value) != expected:
        raise ProofError(f"feldman: the share for {index} does not match the commitments")


def sum_commitments(
    vectors: Iterable[Sequence[Point]], weights: Iterable[int] | None = None
) -> Commitments:
    """The commitments to ``Σ w_d·f_d``, from each dealer's commitments to its ``f_d``.

    Every vector must have the same length; ``weights`` default to 1.
    """
    rows = [tuple(v) for v in vectors]
    factors = [1] * len(rows) if weights is None else [w % N for w in weights]
    if not rows or len(factors) != len(rows) or len({len(r) for r in rows}) != 1:
        raise ThresholdError("feldman: commitment vectors must be non-empty and equally long")
    return tuple(
        sum_points(c if w == 1 else mul(w, c) for w, c in zip(factors, column, strict=True))
        for column in zip(*rows, strict=True)
    )


@dataclass(frozen=True)
class KeyShare:
    """What a gatekeeper holds after a DKG or a resharing.

    ``secret`` is its share ``s_i`` of the network secret ``s`` (never in ``repr``);
    ``public_key`` is ``S = s·G``; ``public_shares[j]`` is ``S_j = s_j·G`` for every holder ``j``.
    Anything but ``secret`` is public and goes on chain.
    """

    index: int
    t: int
    n: int
    secret: int = field(repr=False)
    public_key: Point
    public_shares: Mapping[int, Point]

    def __post_init__(self) -> None:
        check_parameters(self.t, self.n)
        object.__setattr__(self, "public_shares", MappingProxyType(dict(self.public_shares)))
        if set(self.public_shares) != set(range(1, self.n + 1)):
            raise ThresholdError("key share: public shares must cover indices 1..n")
        if self.index not in self.public_shares:
            raise ThresholdError(f"key share: index {self.index} is not in 1..{self.n}")
        if not 0 < self.secret < N or mul_base(self.secret) != self.public_shares[self.index]:
            raise ThresholdError("key share: the secret does not match its public share")
        first = {j: self.public_shares[j] for j in range(1, self.t + 1)}
        if combine_points(first) != self.public_key:
            raise ThresholdError(
                "key share: the public shares do not interpolate to the public key"
            )

    @property
    def share(self) -> Share:
        """The bare Shamir share ``(index, s_i)``."""
        return Share(self.index, self.secret)

    def to_bytes(self) -> bytes:
        """Versioned encoding, for sealed storage only: it contains the secret share.

        ``0x01 ‖ index (2) ‖ t (2) ‖ n (2) ‖ secret (32) ‖ S (33) ‖ n x S_j (33 each)``.
        """
        head = bytes((_VERSION,)) + b"".join(
            v.to_bytes(2, "big") for v in (self.index, self.t, self.n)
        )
        points = [self.public_key, *(self.public_shares[j] for j in range(1, self.n + 1))]
        return head + scalar_bytes(self.secret) + b"".join(p.compressed for p in points)

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyShare:
        """Parse :meth:`to_bytes` output; raises ThresholdError if malformed or inconsistent."""
        if len(data) < 7 or data[0] != _VERSION:
            raise ThresholdError("key share: not a version-1 key share")
        index, t, n = (int.from_bytes(data[k : k + 2], "big") for k in (1, 3, 5))
        if len(data) != 7 + 32 + 33 * (n + 1):
            raise ThresholdError("key share: wrong length for its n")
        try:
            points = [Point.from_bytes(data[39 + 33 * k : 72 + 33 * k]) for k in range(n + 1)]
            secret = int.from_bytes(data[7:39], "big")
            return cls(index, t, n, secret, points[0], dict(enumerate(points[1:], start=1)))
        except (CryptoError, ValueError) as exc:
            raise ThresholdError("key share: malformed or inconsistent encoding") from exc
