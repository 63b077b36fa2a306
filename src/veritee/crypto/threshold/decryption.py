"""Threshold decryption shares: ``s_i·R`` with a DLEQ proof, checked and combined by the worker.

Gatekeeper ``i`` answers a request for point ``R`` (a capsule's ephemeral key, or ``H(ctx)`` for a
named key) with ``D_i = s_i·R`` and a proof that ``log_G(S_i) = log_R(D_i)``, bound to the
request's context. The worker verifies every share against the on-chain public share ``S_i``,
drops and reports the bad ones, and interpolates ``t`` good ones to ``s·R``. No gatekeeper and no
worker ever learns ``s``.

Serialized share (version 1), 100 bytes: ``0x01 ‖ index (2) ‖ D_i (33, compressed) ‖ proof (65)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from veritee.crypto._common import Rng, default_rng, frame
from veritee.crypto.secp256k1 import Point, mul
from veritee.crypto.threshold import dleq
from veritee.crypto.threshold.feldman import KeyShare
from veritee.crypto.threshold.shamir import combine_points
from veritee.exceptions import CryptoError, ProofError, ThresholdError

__all__ = [
    "SHARE_SIZE",
    "CombineResult",
    "DecryptionShare",
    "DerivedKey",
    "combine",
    "make_share",
    "verify_share",
]

_VERSION = 0x01
SHARE_SIZE = 1 + 2 + 33 + dleq.PROOF_SIZE
_TAG = b"veritee/decryption-share/v1"


@dataclass(frozen=True)
class DecryptionShare:
    """Gatekeeper ``index``'s ``s_i·R`` and the proof that it used its on-chain ``s_i``."""

    index: int
    point: Point
    proof: dleq.DleqProof

    def to_bytes(self) -> bytes:
        """The versioned 100-byte encoding."""
        head = bytes((_VERSION,)) + self.index.to_bytes(2, "big")
        return head + self.point.compressed + self.proof.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> DecryptionShare:
        """Parse :meth:`to_bytes` output; raises ProofError if malformed."""
        if len(data) != SHARE_SIZE or data[0] != _VERSION:
            raise ProofError("decryption share: not a version-1 share of 100 bytes")
        try:
            point = Point.from_bytes(data[3:36])
        except CryptoError as exc:
            raise ProofError("decryption share: the point is not on the curve") from exc
        return cls(int.from_bytes(data[1:3], "big"), point, dleq.DleqProof.from_bytes(data[36:]))


@dataclass(frozen=True)
class CombineResult:
    """``s·R``, and the indices of the gatekeepers whose shares were dropped as bad."""

    point: Point
    bad_indices: tuple[int, ...]


@dataclass(frozen=True)
class DerivedKey:
    """A key derived from combined shares, and the gatekeepers whose shares were dropped."""

    key: bytes = field(repr=False)
    bad_indices: tuple[int, ...]


def _transcript_context(index: int, context: bytes) -> bytes:
    return frame(_TAG, index.to_bytes(2, "big"), context)


def make_share(
    key_share: KeyShare, point: Point, context: bytes, *, rng: Rng = default_rng
) -> DecryptionShare:
    """Our share ``s_i·point`` with its DLEQ proof, bound to ``context``."""
    image = mul(key_share.secret, point)
    # KeyShare checked at construction that its public share is s_i·G.
    public = key_share.public_shares[key_share.index]
    transcript = _transcript_context(key_share.index, context)
    proof = dleq.prove_images(key_share.secret, public, point, image, transcript, rng=rng)
    return DecryptionShare(key_share.index, image, proof)


def verify_share(public_share: Point, point: Point, share: DecryptionShare, context: bytes) -> None:
    """Check ``share`` against the gatekeeper's public share; raises ProofError if it is bad."""
    transcript = _transcript_context(share.index, context)
    dleq.verify(public_share, point, share.point, share.proof, transcript)


def combine(
    shares: Iterable[DecryptionShare],
    public_shares: Mapping[int, Point],
    t: int,
    point: Point,
    context: bytes,
) -> CombineResult:
    """Verify every share, drop and report the bad ones, and interpolate ``t`` good ones.

    A share is bad if its index has no public share, its proof fails, or it repeats an index
    with a different point. Raises ThresholdError, saying how many valid shares there were and
    who sent bad ones, if fewer than ``t`` valid shares remain.
    """
    valid: dict[int, Point] = {}
    bad: set[int] = set()
    for share in shares:
        public = public_shares.get(share.index)
        try:
            if public is None:
                raise ProofError(f"no public share for index {share.index}")
            verify_share(public, point, share, context)
        except ProofError:
            bad.add(share.index)
            continue
        if valid.setdefault(share.index, share.point) != share.point:
            bad.add(share.index)  # two valid-looking answers cannot both be s_i·R
    for index in bad:
        valid.pop(index, None)
    bad_indices = tuple(sorted(bad))
    if len(valid) < t:
        raise ThresholdError(
            f"only {len(valid)} valid decryption shares, {t} needed"
            + (f"; bad shares from gatekeepers {list(bad_indices)}" if bad_indices else "")
        )
    chosen = sorted(valid)[:t]
    return CombineResult(combine_points({i: valid[i] for i in chosen}), bad_indices)
