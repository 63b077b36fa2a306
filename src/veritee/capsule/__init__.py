"""veritee.capsule: Capsules v1, encrypted content-addressed containers for data and models.

A capsule is a versioned header (what the data key is sealed to: the threshold-ECIES point ``R``,
the chain and the Capsules contract) followed by STREAM-style AEAD chunks, so any size is sealed
and opened in constant memory and any change is detected. Its address is the SHA-256 of the
whole file. docs/capsules.md documents the byte layout.

- :func:`seal_file` / :func:`seal_bytes` seal to the network key; :func:`register_capsule`
  records the result on-chain;
- :func:`open_file` / :func:`open_bytes` open with the data key the gatekeepers release;
- :class:`CapsuleHeader` and :func:`read_header` read what a capsule is bound to.
"""

from veritee.capsule.header import (
    CAPSULE_VERSION,
    DEFAULT_CHUNK_SIZE,
    AeadSuite,
    CapsuleHeader,
    read_header,
)
from veritee.capsule.opening import open_bytes, open_file, open_stream
from veritee.capsule.registry import register_capsule
from veritee.capsule.sealing import SealedCapsule, seal_bytes, seal_file, seal_stream

__all__ = [
    "CAPSULE_VERSION",
    "DEFAULT_CHUNK_SIZE",
    "AeadSuite",
    "CapsuleHeader",
    "SealedCapsule",
    "open_bytes",
    "open_file",
    "open_stream",
    "read_header",
    "register_capsule",
    "seal_bytes",
    "seal_file",
    "seal_stream",
]
