"""The secp256k1 group, as the threshold recipes need it, over coincurve (libsecp256k1).

:class:`Point` is an immutable, validated, non-infinite curve point whose canonical form is the
33-byte SEC1 compressed encoding. Scalars are plain ``int`` reduced modulo the group order
:data:`N`.

coincurve cannot represent the point at infinity, and in these protocols it never appears
legitimately: a zero scalar, a commitment or share that sums to infinity, or a proof that
reconstructs it is either a vanishingly unlikely accident or an attack. So every operation whose
result would be infinity raises :class:`~veritee.exceptions.ThresholdError` rather than returning
a sentinel a caller could forget to check.

Each ``Point`` keeps the libsecp256k1 key it was parsed into (or that an operation returned), so
a point is parsed and validated once, not again for every operation on it; results of the group
operations are valid points by construction and are not re-parsed. The cached key is never
mutated (no ``update=True`` call), so sharing it between threads is safe.

Python integers are not constant-time. Scalar arithmetic here runs on secrets only inside a
gatekeeper's or a data owner's own process; the group operations on secrets (``mul_base``, ``mul``)
are libsecp256k1's constant-time ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import coincurve

from veritee.crypto._common import Rng, default_rng
from veritee.exceptions import CryptoError, ThresholdError

__all__ = [
    "G",
    "N",
    "P",
    "Point",
    "add",
    "linear_combination",
    "mul",
    "mul_base",
    "neg",
    "random_scalar",
    "scalar_bytes",
    "sum_points",
]

P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
"""The prime of the base field."""

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""The prime order of the group: the scalar field is Z_N."""

_INFINITY = "secp256k1: the result is the point at infinity"


@dataclass(frozen=True)
class Point:
    """A secp256k1 point other than infinity, held in its canonical compressed form.

    Build one with :meth:`from_bytes`, :meth:`from_xy` or the group operations; the constructor
    validates too, so every ``Point`` is on the curve. Equal points have equal bytes.
    """

    compressed: bytes
    _public_key: coincurve.PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        data = self.compressed
        if len(data) != 33 or data[0] not in (2, 3):
            raise CryptoError("secp256k1: a point is 33 bytes, SEC1 compressed")
        try:
            key = coincurve.PublicKey(data)
        except ValueError as exc:
            raise CryptoError("secp256k1: the bytes are not a point on the curve") from exc
        object.__setattr__(self, "_public_key", key)

    @classmethod
    def _of(cls, key: coincurve.PublicKey) -> Point:
        """The point a libsecp256k1 operation returned: valid by construction, not re-parsed."""
        point = object.__new__(cls)
        object.__setattr__(point, "compressed", key.format(compressed=True))
        object.__setattr__(point, "_public_key", key)
        return point

    def __reduce__(self) -> tuple[Any, ...]:
        # The cached key is a C object: copies and pickles carry the bytes and re-parse them.
        return (Point, (self.compressed,))

    @classmethod
    def from_bytes(cls, data: bytes) -> Point:
        """Parse a 33-byte compressed point; raises CryptoError if it is not one."""
        return cls(bytes(data))

    @classmethod
    def from_xy(cls, x: int, y: int) -> Point:
        """The point with affine coordinates ``(x, y)``; raises CryptoError if it is off-curve."""
        if not (0 <= x < P and 0 <= y < P):
            raise CryptoError("secp256k1: coordinates must be reduced modulo p")
        try:
            key = coincurve.PublicKey(b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big"))
        except ValueError as exc:
            raise CryptoError("secp256k1: (x, y) is not a point on the curve") from exc
        return cls._of(key)

    @property
    def xy(self) -> tuple[int, int]:
        """The affine coordinates."""
        x, y = self._key().point()
        return int(x), int(y)

    def uncompressed(self) -> bytes:
        """The 65-byte SEC1 uncompressed encoding ``0x04 ‖ x ‖ y``."""
        return bytes(self._key().format(compressed=False))

    def __bytes__(self) -> bytes:
        return self.compressed

    def __repr__(self) -> str:
        return f"Point({self.compressed.hex()})"

    def _key(self) -> coincurve.PublicKey:
        return self._public_key


G = Point.from_xy(
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)
"""The standard generator."""


def scalar_bytes(k: int) -> bytes:
    """``k mod N`` as 32 big-endian bytes."""
    return (k % N).to_bytes(32, "big")


def _nonzero_scalar(k: int) -> bytes:
    k %= N
    if k == 0:
        raise ThresholdError(_INFINITY)
    return k.to_bytes(32, "big")


def mul_base(k: int) -> Point:
    """``k·G``; raises ThresholdError if ``k ≡ 0 (mod N)``."""
    return Point._of(coincurve.PublicKey.from_secret(_nonzero_scalar(k)))


def mul(k: int, point: Point) -> Point:
    """``k·point``; raises ThresholdError if ``k ≡ 0 (mod N)`` (the group has prime order)."""
    return Point._of(point._key().multiply(_nonzero_scalar(k)))


def sum_points(points: Iterable[Point]) -> Point:
    """The sum of ``points``; raises ThresholdError if there are none or they sum to infinity.

    Partial sums may pass through infinity; only the total matters.
    """
    keys = [point._key() for point in points]
    if not keys:
        raise ThresholdError("secp256k1: the sum of no points is the point at infinity")
    if len(keys) == 1:
        return Point._of(keys[0])
    try:
        total = coincurve.PublicKey.combine_keys(keys)
    except ValueError as exc:
        raise ThresholdError(_INFINITY) from exc
    return Point._of(total)


def linear_combination(terms: Iterable[tuple[int, Point]], base: int = 0) -> Point:
    """``base·G + Σ k·P`` over the ``(k, P)`` in ``terms``; raises ThresholdError at infinity.

    Terms whose scalar is 0 mod N vanish; the ``G`` term is one libsecp256k1 tweak-add (its
    precomputed generator tables), cheaper than multiplying ``G`` as a variable point. This is
    what verifiers need (``z·G - c·A``, ``z·R - c·B``), in the fewest calls into the library.
    """
    keys = [point._key().multiply(scalar_bytes(k)) for k, point in terms if k % N]
    if not keys:
        return mul_base(base)
    try:
        total = keys[0] if len(keys) == 1 else coincurve.PublicKey.combine_keys(keys)
        if base % N:
            total = total.add(scalar_bytes(base))
    except ValueError as exc:  # the sum, or the sum plus base·G, is infinity
        raise ThresholdError(_INFINITY) from exc
    return Point._of(total)


def add(a: Point, b: Point) -> Point:
    """``a + b``; raises ThresholdError if ``b == -a``."""
    return sum_points((a, b))


def neg(point: Point) -> Point:
    """``-point``: same x, the other y."""
    data = point.compressed
    return Point(bytes((data[0] ^ 1,)) + data[1:])


def random_scalar(rng: Rng = default_rng) -> int:
    """A uniformly random scalar in ``[1, N)``, by rejection sampling 32-byte draws of ``rng``."""
    while True:
        k = int.from_bytes(rng(32), "big")
        if 0 < k < N:
            return k
