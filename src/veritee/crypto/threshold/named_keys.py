"""Named keys: a stable 32-byte key per public context, derived by ``t`` gatekeepers.

For a public context string ``ctx`` (a worker measurement, an agent id, an app id), every
gatekeeper returns ``s_i·H(ctx)`` with a DLEQ proof, where ``H`` is the RFC 9380 hash to
secp256k1 under a veritee-specific tag. The requester combines ``t`` valid shares into
``s·H(ctx)`` and derives ``HKDF-SHA256(compressed(s·H(ctx)), info = "veritee/named-key/v1" ‖ ctx)``.
The same ``ctx`` always yields the same key, on any set of ``t`` gatekeepers and across
resharings; different contexts yield unrelated keys; and nobody without ``t`` shares can compute
any of them. Who may ask for which ``ctx`` is policy, decided before a gatekeeper answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from veritee.crypto._common import Rng, default_rng, frame
from veritee.crypto.secp256k1 import Point
from veritee.crypto.threshold.decryption import (
    DecryptionShare,
    DerivedKey,
    combine,
    make_share,
    verify_share,
)
from veritee.crypto.threshold.feldman import KeyShare
from veritee.crypto.threshold.hash_to_curve import hash_to_curve

__all__ = [
    "NAMED_KEY_SIZE",
    "derive_named_key",
    "make_named_share",
    "named_key_from_point",
    "named_point",
    "verify_named_share",
]

NAMED_KEY_SIZE = 32
_DST = b"VERITEE-V01-CS01-named-key-with-secp256k1_XMD:SHA-256_SSWU_RO_"
_INFO_TAG = b"veritee/named-key/v1"


def named_point(ctx: bytes) -> Point:
    """``H(ctx)``: the point whose ``s``-multiple names the key for ``ctx``."""
    return hash_to_curve(ctx, _DST)


def _proof_context(ctx: bytes) -> bytes:
    return frame(_INFO_TAG, ctx)


def make_named_share(key_share: KeyShare, ctx: bytes, *, rng: Rng = default_rng) -> DecryptionShare:
    """A gatekeeper's share ``s_i·H(ctx)`` with its DLEQ proof."""
    return make_share(key_share, named_point(ctx), _proof_context(ctx), rng=rng)


def verify_named_share(public_share: Point, ctx: bytes, share: DecryptionShare) -> None:
    """Check one gatekeeper's named-key share; raises ProofError if it is bad."""
    verify_share(public_share, named_point(ctx), share, _proof_context(ctx))


def named_key_from_point(point: Point, ctx: bytes) -> bytes:
    """``HKDF-SHA256(compressed(s·H(ctx)), info = tag ‖ ctx)``, 32 bytes."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=NAMED_KEY_SIZE, salt=None, info=_INFO_TAG + ctx)
    return hkdf.derive(point.compressed)


def derive_named_key(
    shares: Iterable[DecryptionShare], public_shares: Mapping[int, Point], t: int, ctx: bytes
) -> DerivedKey:
    """Verify and combine named-key shares into the key for ``ctx``.

    Bad shares are dropped and reported in ``bad_indices``; raises ThresholdError if fewer than
    ``t`` are valid.
    """
    result = combine(shares, public_shares, t, named_point(ctx), _proof_context(ctx))
    return DerivedKey(named_key_from_point(result.point, ctx), result.bad_indices)
