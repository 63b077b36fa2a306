"""The enclave's identity and how it proves it: keys, quotes, certificates, the sealing key.

Each enclave generates at boot a secp256k1 signing key (its enclave address: it signs result
batches and key requests) and an X25519 key (job inputs and key shares are sealed to it). Its
quote's report data binds both keys, the operator, the chain and the Workers contract, and a
fresh nonce (a recent block hash); ``t`` gatekeepers check the quote and sign a certificate the
Workers contract accepts. The keys never leave the enclave in plaintext: state that outlives the
process is sealed with the key named ``seal:<measurement>``, which the gatekeepers release only
to code with that measurement (DESIGN §3).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from veritee.attestation.provider import TeeProvider
from veritee.attestation.report_data import ReportDataBinding
from veritee.attestation.types import Quote
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.typed_data import address_of
from veritee.gatekeeper.certificates import CertifyRequest
from veritee.gatekeeper.certify import WORKER_REPORT_DOMAIN

__all__ = ["EnclaveIdentity", "attest", "sealing_key_name"]


@dataclass(frozen=True)
class EnclaveIdentity:
    """An enclave's two keys. Secret: never log, print or send the private halves."""

    signing_key: bytes = field(repr=False)
    x25519: X25519KeyPair

    def __post_init__(self) -> None:
        if len(self.signing_key) != 32:
            raise ValueError("an enclave signing key is 32 bytes")

    @classmethod
    def generate(cls) -> EnclaveIdentity:
        """Fresh keys from the operating system's randomness (inside the TEE)."""
        while True:
            key = os.urandom(32)
            # Rejects 0 and values at or above the group order (probability ~2^-128).
            if 0 < int.from_bytes(key, "big") < _SECP256K1_ORDER:
                return cls(key, X25519KeyPair.generate())

    @property
    def address(self) -> str:
        """The enclave address (checksummed): the worker's on-chain identity."""
        return address_of(self.signing_key)

    @property
    def x25519_public(self) -> bytes:
        return self.x25519.public_bytes()

    def to_json(self) -> dict[str, Any]:
        """The private keys, for sealed state only."""
        return {
            "signing_key": self.signing_key.hex(),
            "x25519_key": self.x25519.private_bytes().hex(),
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> EnclaveIdentity:
        return cls(
            bytes.fromhex(str(obj["signing_key"])),
            X25519KeyPair.from_private_bytes(bytes.fromhex(str(obj["x25519_key"]))),
        )

    def __repr__(self) -> str:
        return f"EnclaveIdentity(address={self.address})"


_SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def attest(
    identity: EnclaveIdentity,
    provider: TeeProvider,
    *,
    chain_id: int,
    workers: str,
    operator: str,
    nonce: bytes,
    lifetime: int | None = None,
) -> tuple[CertifyRequest, Quote]:
    """A fresh quote binding ``identity``'s keys, and the certification request carrying it.

    ``workers`` is the Workers contract, ``operator`` the account that registers the worker and
    ``nonce`` the hash of a recent block (the gatekeepers' freshness check).
    """
    binding = ReportDataBinding(
        domain=WORKER_REPORT_DOMAIN,
        chain_id=chain_id,
        registry=workers,
        enclave=identity.address,
        x25519_public=identity.x25519_public,
        operator=operator,
    )
    quote = provider.get_quote(binding.report_data(nonce))
    request = CertifyRequest(
        quote=quote.raw,
        tee_kind=provider.kind,
        enclave=identity.address,
        x25519_key=identity.x25519_public,
        operator=operator,
        nonce=nonce,
        lifetime=lifetime,
        event_log=quote.event_log,
    )
    return request, quote


def sealing_key_name(measurement: bytes) -> str:
    """The named key that seals this measurement's state: ``seal:<64 lowercase hex digits>``."""
    if len(measurement) != 32:
        raise ValueError("a measurement is 32 bytes")
    return f"seal:{measurement.hex()}"
