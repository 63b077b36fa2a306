"""Envelopes: a message sealed to one X25519 key with HPKE (RFC 9180) base mode.

The suite is DHKEM(X25519, HKDF-SHA256) with HKDF-SHA256 and, by default, ChaCha20-Poly1305
(AES-256-GCM on request). The HPKE ``info`` is :meth:`EnvelopeContext.info`, which binds the
purpose, the chain id, the contract address and the object id (job id, capsule id, epoch); the
caller's extra ``aad`` goes to the AEAD. An envelope opened under any other context, ``aad`` or
key fails.

Serialized format (version 1)::

    offset  size  field
    0       1     version, 0x01
    1       1     suite: the RFC 9180 AEAD id's low byte, 0x03 ChaCha20-Poly1305, 0x02 AES-256-GCM
    2       32    enc, the HPKE encapsulated key (the sender's ephemeral X25519 public key)
    34      n+16  the AEAD ciphertext of the n-byte plaintext, tag included

Every failure to open (bad version, unknown suite, truncation, wrong key, wrong context, wrong
``aad``, any flipped bit) raises the same :class:`~veritee.exceptions.DecryptionError`, so the error
is no oracle. Envelopes carry messages; plaintexts above :data:`MAX_PLAINTEXT` (64 MiB) are refused
with ``ValueError`` — bulk data goes in capsules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from cryptography.hazmat.bindings._rust import openssl as _rust_openssl
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import x25519

from veritee.crypto._common import Rng, address_bytes, default_rng, frame, uint_bytes
from veritee.exceptions import CryptoError, DecryptionError

__all__ = [
    "ENVELOPE_VERSION",
    "MAX_PLAINTEXT",
    "EnvelopeContext",
    "Suite",
    "X25519KeyPair",
    "open_envelope",
    "seal",
]

ENVELOPE_VERSION = 0x01
MAX_PLAINTEXT = 64 * 1024 * 1024
_INFO_TAG = b"veritee/envelope/v1"
_ENC_SIZE = 32
_TAG_SIZE = 16
_HEADER_SIZE = 2 + _ENC_SIZE
_OPAQUE = "envelope could not be opened"

# The public single-shot Suite.encrypt/decrypt take no AEAD aad; these two functions (in the
# pinned cryptography 50.0.2, typed in its .pyi) are the same single-shot calls with an aad.
# tests/unit/crypto/test_envelope.py pins them, so an upgrade that drops them fails loudly.
_encrypt_with_aad = _rust_openssl.hpke._encrypt_with_aad
_decrypt_with_aad = _rust_openssl.hpke._decrypt_with_aad


class Suite(IntEnum):
    """The AEAD of an envelope; the value is the RFC 9180 AEAD id (its low byte on the wire)."""

    AES256_GCM = 0x02
    CHACHA20 = 0x03


_AEADS = {Suite.AES256_GCM: hpke.AEAD.AES_256_GCM, Suite.CHACHA20: hpke.AEAD.CHACHA20_POLY1305}


@dataclass(frozen=True)
class EnvelopeContext:
    """What an envelope is for: purpose, chain, contract and the object it concerns.

    ``purpose`` is a short label such as ``"job-input"``; ``object_id`` is a uint256 (job id,
    capsule id, epoch). The contract address is compared as 20 bytes, whatever its letter case.
    """

    purpose: str
    chain_id: int
    contract: str
    object_id: int

    def __post_init__(self) -> None:
        purpose = self.purpose.encode("utf-8")
        if not 0 < len(purpose) <= 255:
            raise ValueError("envelope purpose must be 1 to 255 bytes of UTF-8")
        uint_bytes(self.chain_id, name="chain_id")
        uint_bytes(self.object_id, name="object_id")
        address_bytes(self.contract)

    def info(self) -> bytes:
        """The canonical HPKE ``info``: a version tag and the four fields, each length-prefixed."""
        return frame(
            _INFO_TAG,
            self.purpose.encode("utf-8"),
            uint_bytes(self.chain_id),
            address_bytes(self.contract),
            uint_bytes(self.object_id),
        )


@dataclass(frozen=True, eq=False)
class X25519KeyPair:
    """An X25519 key pair for receiving envelopes. The private half never appears in ``repr``."""

    _private: x25519.X25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls, rng: Rng = default_rng) -> X25519KeyPair:
        """A fresh key pair from 32 bytes of ``rng``."""
        return cls.from_private_bytes(rng(32))

    @classmethod
    def from_private_bytes(cls, data: bytes) -> X25519KeyPair:
        """The key pair whose raw 32-byte private key is ``data``."""
        if len(data) != 32:
            raise ValueError("an X25519 private key is 32 bytes")
        return cls(x25519.X25519PrivateKey.from_private_bytes(data))

    def private_bytes(self) -> bytes:
        """The raw 32-byte private key. Handle with care: this is the secret."""
        return self._private.private_bytes_raw()

    def public_bytes(self) -> bytes:
        """The raw 32-byte public key, the address envelopes are sealed to."""
        return self._private.public_key().public_bytes_raw()

    def __repr__(self) -> str:
        return f"X25519KeyPair(public={self.public_bytes().hex()})"


def _hpke_suite(suite: Suite) -> hpke.Suite:
    return hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, _AEADS[suite])


def _hpke_seal(
    suite: Suite, recipient_public: bytes, plaintext: bytes, info: bytes, aad: bytes
) -> bytes:
    """RFC 9180 single-shot SealBase; returns ``enc ‖ ciphertext``."""
    if len(recipient_public) != 32:
        raise ValueError("an X25519 public key is 32 bytes")
    public = x25519.X25519PublicKey.from_public_bytes(recipient_public)
    try:
        return _encrypt_with_aad(_hpke_suite(suite), plaintext, public, info=info, aad=aad)
    except ValueError as exc:
        # A low-order public key makes the X25519 shared secret all zeros (RFC 9180 §7.1.4).
        raise CryptoError("envelope: the recipient public key is not usable") from exc


def _hpke_open(
    suite: Suite, private: x25519.X25519PrivateKey, enc_ct: bytes, info: bytes, aad: bytes
) -> bytes:
    """RFC 9180 single-shot OpenBase of ``enc ‖ ciphertext``; raises DecryptionError."""
    try:
        return _decrypt_with_aad(_hpke_suite(suite), enc_ct, private, info=info, aad=aad)
    except Exception as exc:
        # Whatever went wrong, the caller learns only that it did not open.
        raise DecryptionError(_OPAQUE) from exc


def seal(
    recipient_public: bytes,
    plaintext: bytes,
    context: EnvelopeContext,
    *,
    aad: bytes = b"",
    suite: Suite = Suite.CHACHA20,
) -> bytes:
    """Seal ``plaintext`` to the X25519 public key ``recipient_public`` under ``context``.

    Each call uses a fresh ephemeral key, so sealing twice gives different envelopes. Raises
    ValueError for a plaintext above :data:`MAX_PLAINTEXT` or a public key that is not 32 bytes.
    """
    if len(plaintext) > MAX_PLAINTEXT:
        raise ValueError(
            f"envelope plaintext is {len(plaintext)} bytes; the limit is {MAX_PLAINTEXT} "
            "(put bulk data in a capsule)"
        )
    suite = Suite(suite)
    body = _hpke_seal(suite, recipient_public, plaintext, context.info(), aad)
    return bytes((ENVELOPE_VERSION, suite)) + body


def open_envelope(
    private: X25519KeyPair | bytes,
    envelope: bytes,
    context: EnvelopeContext,
    *,
    aad: bytes = b"",
) -> bytes:
    """Open an envelope sealed by :func:`seal` to ``private``'s public key under ``context``.

    Raises :class:`~veritee.exceptions.DecryptionError` ("envelope could not be opened") for every
    failure, and ValueError for an envelope too large to hold a permitted plaintext.
    """
    if len(envelope) > _HEADER_SIZE + MAX_PLAINTEXT + _TAG_SIZE:
        raise ValueError(f"envelope is {len(envelope)} bytes, above the size limit")
    if not isinstance(private, X25519KeyPair):
        private = X25519KeyPair.from_private_bytes(private)
    if len(envelope) < _HEADER_SIZE + _TAG_SIZE or envelope[0] != ENVELOPE_VERSION:
        raise DecryptionError(_OPAQUE)
    try:
        suite = Suite(envelope[1])
    except ValueError:
        raise DecryptionError(_OPAQUE) from None
    return _hpke_open(suite, private._private, envelope[2:], context.info(), aad)
