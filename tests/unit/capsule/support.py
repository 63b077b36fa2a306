"""Test support: a network key whose secret the tests hold, and the data key it yields.

A real network's secret is shared among gatekeepers and never assembled; here one scalar stands
in for it, so ``mul(SECRET, R)`` plays the role of the combined gatekeeper shares ``s·R``.
"""

from __future__ import annotations

from veritee.capsule import AeadSuite, CapsuleHeader, SealedCapsule, seal_bytes
from veritee.crypto.secp256k1 import Point, mul, mul_base
from veritee.crypto.threshold import CapsuleContext, data_key_from_point

SECRET = 0x5EC12E70F7E57
NETWORK_KEY = mul_base(SECRET)
CHAIN_ID = 31337
CAPSULES = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def seal(
    data: bytes,
    *,
    chunk_size: int = 64,
    suite: AeadSuite = AeadSuite.CHACHA20_POLY1305,
    content_type: str = "text/csv",
) -> tuple[bytes, SealedCapsule]:
    """``seal_bytes`` to the test network, with small chunks by default."""
    return seal_bytes(
        data,
        network_key=NETWORK_KEY,
        chain_id=CHAIN_ID,
        capsules=CAPSULES,
        content_type=content_type,
        chunk_size=chunk_size,
        suite=suite,
    )


def data_key(header: CapsuleHeader) -> bytes:
    """What a worker gets from ``t`` gatekeepers for a capsule with this header."""
    return key_for(header.r, header.context)


def key_for(r: Point, context: CapsuleContext) -> bytes:
    """The data key for ephemeral ``r`` under ``context``, as the gatekeepers would derive it."""
    return data_key_from_point(mul(SECRET, r), context)
