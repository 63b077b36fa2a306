"""Threshold ECIES: a capsule's data key, sealed to the network key ``S``, opened by ``t`` parties.

The data owner, alone and offline, picks ``r``, publishes ``R = r·G`` with the capsule, and derives
``data_key = HKDF-SHA256(ikm = compressed(r·S), info = "veritee/capsule-key/v1" ‖ context)``.
Since ``r·S = s·R``, a worker that combines ``t`` gatekeepers' decryption shares ``s_i·R`` (each
with its DLEQ proof, bound to the same context) gets the same key; no gatekeeper sees it, and
none could compute it alone.

The context binds the capsule id (or a content hash, as a uint256), the chain id and the
Capsules contract, so shares and keys for one capsule are useless for any other. Capsules v1 name
the capsule by a hash of its ``R`` (:meth:`CapsuleContext.for_ephemeral`): the Capsules contract
keeps every ``R`` unique, and unlike the id it is known before the capsule is registered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from veritee.crypto._common import Rng, address_bytes, default_rng, frame, uint_bytes
from veritee.crypto.secp256k1 import Point, mul, mul_base, random_scalar
from veritee.crypto.threshold.decryption import DecryptionShare, DerivedKey, combine

__all__ = [
    "DATA_KEY_SIZE",
    "CapsuleContext",
    "data_key_from_point",
    "data_key_from_shares",
    "seal_capsule_key",
    "seal_key_to_network",
]

DATA_KEY_SIZE = 32
_INFO_TAG = b"veritee/capsule-key/v1"
_EPHEMERAL_TAG = b"veritee/capsule-R/v1"


@dataclass(frozen=True)
class CapsuleContext:
    """Which capsule a key belongs to: its id (or content hash) on one chain and contract."""

    capsule_id: int
    chain_id: int
    contract: str

    def __post_init__(self) -> None:
        uint_bytes(self.capsule_id, name="capsule_id")
        uint_bytes(self.chain_id, name="chain_id")
        address_bytes(self.contract)

    @classmethod
    def for_content(cls, content_hash: bytes, chain_id: int, contract: str) -> CapsuleContext:
        """A context naming the capsule by a 32-byte content hash instead of an id."""
        if len(content_hash) != 32:
            raise ValueError("a content hash is 32 bytes")
        return cls(int.from_bytes(content_hash, "big"), chain_id, contract)

    @classmethod
    def for_ephemeral(cls, ephemeral: Point, chain_id: int, contract: str) -> CapsuleContext:
        """The capsule v1 context: the capsule named by ``SHA-256(tag ‖ compressed(R))``."""
        digest = hashlib.sha256(_EPHEMERAL_TAG + ephemeral.compressed).digest()
        return cls.for_content(digest, chain_id, contract)

    def encode(self) -> bytes:
        """Canonical bytes: capsule id, chain id and contract address, length-prefixed."""
        return frame(
            uint_bytes(self.capsule_id), uint_bytes(self.chain_id), address_bytes(self.contract)
        )


def data_key_from_point(shared: Point, context: CapsuleContext) -> bytes:
    """``HKDF-SHA256(compressed(shared), info = tag ‖ context)``, 32 bytes.

    ``shared`` is ``r·S`` on the owner's side and the combined ``s·R`` on the worker's.
    """
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=DATA_KEY_SIZE,
        salt=None,
        info=_INFO_TAG + context.encode(),
    )
    return hkdf.derive(shared.compressed)


def seal_key_to_network(
    network_key: Point, context: CapsuleContext, *, rng: Rng = default_rng
) -> tuple[Point, bytes]:
    """The data owner's step: a fresh ``R`` to record with the capsule, and the data key.

    ``r`` is drawn from ``rng`` and discarded; keep ``R``, use the key, then forget it.
    """
    r = random_scalar(rng)
    return mul_base(r), data_key_from_point(mul(r, network_key), context)


def seal_capsule_key(
    network_key: Point, chain_id: int, contract: str, *, rng: Rng = default_rng
) -> tuple[Point, bytes, CapsuleContext]:
    """Like :func:`seal_key_to_network`, with the context bound to the fresh ``R`` itself.

    Returns ``R`` (to record with the capsule), the data key, and the context gatekeepers and
    workers will rebuild from the on-chain ``R``.
    """
    r = random_scalar(rng)
    ephemeral = mul_base(r)
    context = CapsuleContext.for_ephemeral(ephemeral, chain_id, contract)
    return ephemeral, data_key_from_point(mul(r, network_key), context), context


def data_key_from_shares(
    shares: Iterable[DecryptionShare],
    public_shares: Mapping[int, Point],
    t: int,
    ephemeral: Point,
    context: CapsuleContext,
) -> DerivedKey:
    """The worker's step: verify and combine gatekeepers' shares of ``s·R``, derive the data key.

    Bad shares are dropped and reported in ``bad_indices``; raises ThresholdError if fewer than
    ``t`` are valid. Gatekeepers must have made their shares with
    ``make_share(key_share, R, context.encode())``.
    """
    result = combine(shares, public_shares, t, ephemeral, context.encode())
    return DerivedKey(data_key_from_point(result.point, context), result.bad_indices)
