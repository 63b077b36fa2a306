"""Chaum-Pedersen proofs of discrete-log equality, made non-interactive by Fiat-Shamir.

A prover who knows ``x`` with ``A = x·G`` and ``B = x·R`` shows that ``log_G(A) = log_R(B)``
without revealing ``x``: a gatekeeper proves that its decryption share ``D_i = s_i·R`` was made
with the same ``s_i`` as its public share ``S_i = s_i·G`` on chain.

Protocol: pick ``k``, send ``T1 = k·G`` and ``T2 = k·R``; the challenge is
``c = SHA-256(frame(tag, G, A, R, B, T1, T2, context)) mod N``; the response is
``z = k + c·x mod N``. The verifier recomputes ``T1 = z·G - c·A`` and ``T2 = z·R - c·B`` and checks
that they hash to ``c``. The transcript binds every point and the caller's ``context`` (capsule id,
chain, contract), so a proof made for one capsule or request is worthless for another.

The nonce ``k`` is hedged: it hashes the secret, the transcript and fresh randomness, so a broken
``rng`` alone cannot leak ``x`` through a repeated nonce.

Serialized proof (version 1), 65 bytes: ``0x01 ‖ c (32, big-endian) ‖ z (32, big-endian)``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from veritee.crypto._common import Rng, default_rng, frame
from veritee.crypto.secp256k1 import G, N, Point, linear_combination, mul, mul_base, scalar_bytes
from veritee.exceptions import ProofError, ThresholdError

__all__ = ["PROOF_SIZE", "DleqProof", "prove", "prove_images", "verify"]

_VERSION = 0x01
PROOF_SIZE = 65
_CHALLENGE_TAG = b"veritee/dleq/v1/challenge"
_NONCE_TAG = b"veritee/dleq/v1/nonce"


@dataclass(frozen=True)
class DleqProof:
    """A proof ``(c, z)``; both are scalars in ``[0, N)``."""

    c: int
    z: int

    def __post_init__(self) -> None:
        if not (0 <= self.c < N and 0 <= self.z < N):
            raise ProofError("dleq: proof scalars must be reduced modulo N")

    def to_bytes(self) -> bytes:
        """The versioned 65-byte encoding."""
        return bytes((_VERSION,)) + scalar_bytes(self.c) + scalar_bytes(self.z)

    @classmethod
    def from_bytes(cls, data: bytes) -> DleqProof:
        """Parse :meth:`to_bytes` output; raises ProofError on a bad length, version or scalar."""
        if len(data) != PROOF_SIZE or data[0] != _VERSION:
            raise ProofError("dleq: not a version-1 proof of 65 bytes")
        return cls(int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:], "big"))


def _challenge(
    public: Point, base: Point, image: Point, t1: Point, t2: Point, context: bytes
) -> int:
    transcript = frame(
        _CHALLENGE_TAG,
        G.compressed,
        public.compressed,
        base.compressed,
        image.compressed,
        t1.compressed,
        t2.compressed,
        context,
    )
    return int.from_bytes(hashlib.sha256(transcript).digest(), "big") % N


def prove(secret: int, base: Point, context: bytes, *, rng: Rng = default_rng) -> DleqProof:
    """Prove that ``secret·G`` and ``secret·base`` share the discrete log ``secret``.

    ``context`` is bound into the challenge; the verifier must pass the same bytes.
    """
    secret %= N
    return prove_images(secret, mul_base(secret), base, mul(secret, base), context, rng=rng)


def prove_images(
    secret: int, public: Point, base: Point, image: Point, context: bytes, *, rng: Rng = default_rng
) -> DleqProof:
    """:func:`prove` for a caller that already holds ``public = secret·G`` and
    ``image = secret·base`` (a gatekeeper's on-chain public share and the share it sends), which
    saves recomputing them. Wrong images give a proof that does not verify, never a false one.
    """
    secret %= N
    # SHA-512 leaves a negligible bias after reduction mod N; hedging with the secret keeps the
    # nonce unpredictable even if rng repeats.
    seed = frame(_NONCE_TAG, scalar_bytes(secret), rng(32), base.compressed, context)
    k = int.from_bytes(hashlib.sha512(seed).digest(), "big") % N
    if k == 0:  # probability about 2**-256; retry with fresh randomness rather than fail
        return prove_images(secret, public, base, image, context, rng=rng)
    c = _challenge(public, base, image, mul_base(k), mul(k, base), context)
    return DleqProof(c, (k + c * secret) % N)


def verify(public: Point, base: Point, image: Point, proof: DleqProof, context: bytes) -> None:
    """Check that ``log_G(public) = log_base(image)`` under ``context``; raise ProofError if not."""
    try:
        t1 = linear_combination([(-proof.c, public)], base=proof.z)  # z·G - c·A
        t2 = linear_combination([(proof.z, base), (-proof.c, image)])  # z·R - c·B
    except ThresholdError as exc:
        # An honest proof never reconstructs infinity (its nonce is non-zero).
        raise ProofError("dleq: the proof does not verify") from exc
    expected = _challenge(public, base, image, t1, t2, context)
    if not hmac.compare_digest(scalar_bytes(expected), scalar_bytes(proof.c)):
        raise ProofError("dleq: the proof does not verify")
