"""Sealing state at rest: AES-256-GCM under a key HKDF-derived from a long-term secret.

A service that must keep a secret across restarts (a gatekeeper's key share) seals it with a key
derived from a secret it already holds (its signing key), so the file alone is worthless. In
production the TEE seals that root secret itself (a sealing key derived from the measurement);
this recipe is the layer above.

Format (version 1)::

    offset  size  field
    0       1     version, 0x01
    1       12    AES-GCM nonce (random)
    13      n+16  ciphertext of the n-byte plaintext, tag included

The HKDF ``info`` binds a purpose label and the AEAD ``aad`` the caller's context (chain,
contract, epoch, index), so a sealed blob moved to another context does not open. Every failure
to open raises the same :class:`~veritee.exceptions.DecryptionError`.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from veritee.crypto._common import Rng, default_rng, frame
from veritee.exceptions import DecryptionError

__all__ = ["AT_REST_VERSION", "open_at_rest", "seal_at_rest"]

AT_REST_VERSION = 0x01
_TAG = b"veritee/at-rest/v1"
_NONCE_SIZE = 12
_OPAQUE = "sealed state could not be opened"


def _key(root_secret: bytes, purpose: str) -> AESGCM:
    if len(root_secret) < 32:
        raise ValueError("the root secret must be at least 32 bytes")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=frame(_TAG, purpose.encode("utf-8")),
    )
    return AESGCM(hkdf.derive(root_secret))


def seal_at_rest(
    root_secret: bytes, purpose: str, plaintext: bytes, aad: bytes, *, rng: Rng = default_rng
) -> bytes:
    """Seal ``plaintext`` under a key derived from ``root_secret`` for ``purpose``."""
    nonce = rng(_NONCE_SIZE)
    body = _key(root_secret, purpose).encrypt(nonce, plaintext, frame(_TAG, aad))
    return bytes((AT_REST_VERSION,)) + nonce + body


def open_at_rest(root_secret: bytes, purpose: str, sealed: bytes, aad: bytes) -> bytes:
    """Open what :func:`seal_at_rest` sealed; raises DecryptionError on any failure."""
    if len(sealed) < 1 + _NONCE_SIZE + 16 or sealed[0] != AT_REST_VERSION:
        raise DecryptionError(_OPAQUE)
    nonce, body = sealed[1 : 1 + _NONCE_SIZE], sealed[1 + _NONCE_SIZE :]
    try:
        return _key(root_secret, purpose).decrypt(nonce, body, frame(_TAG, aad))
    except InvalidTag:
        raise DecryptionError(_OPAQUE) from None
