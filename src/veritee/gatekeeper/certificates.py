"""Certification on the wire: what a worker sends to be certified, and what it gets back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veritee.attestation.types import EventLogEntry
from veritee.chain.types import TeeKind
from veritee.crypto.typed_data import Certificate
from veritee.exceptions import MalformedRequest
from veritee.gatekeeper.wire import (
    address_field,
    certificate_from_json,
    certificate_to_json,
    hex_field,
    int_field,
    to_hex,
)

__all__ = ["CertificateGrant", "CertifyRequest"]


def _field(obj: Mapping[str, Any], name: str) -> Any:
    if name not in obj:
        raise MalformedRequest(f"missing field {name}")
    return obj[name]


@dataclass(frozen=True)
class CertifyRequest:
    """What a worker sends to be certified (DESIGN §4)."""

    quote: bytes
    tee_kind: TeeKind
    enclave: str
    x25519_key: bytes
    operator: str
    nonce: bytes
    lifetime: int | None = None
    event_log: tuple[EventLogEntry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "quote": to_hex(self.quote),
            "tee_kind": int(self.tee_kind),
            "enclave": self.enclave,
            "x25519_key": to_hex(self.x25519_key),
            "operator": self.operator,
            "nonce": to_hex(self.nonce),
            "lifetime": self.lifetime,
            "event_log": [entry.to_json_dict() for entry in self.event_log],
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> CertifyRequest:
        try:
            kind = TeeKind(int_field(obj, "tee_kind", 255))
        except ValueError:
            raise MalformedRequest("field tee_kind is not a known TEE kind") from None
        lifetime = obj.get("lifetime")
        if lifetime is not None:
            lifetime = int_field(obj, "lifetime", (1 << 40) - 1)
        entries = obj.get("event_log") or []
        if not isinstance(entries, list) or len(entries) > 4096:
            raise MalformedRequest("field event_log must be a list")
        try:
            event_log = tuple(
                EventLogEntry(
                    imr=int(e["imr"]),
                    event_type=int(e["event_type"]),
                    digest=bytes.fromhex(str(e["digest"]).removeprefix("0x")),
                    event=str(e.get("event", "")),
                    payload=bytes.fromhex(str(e.get("event_payload", "")).removeprefix("0x")),
                )
                for e in entries
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise MalformedRequest("field event_log holds a malformed entry") from None
        return cls(
            quote=hex_field(obj, "quote"),
            tee_kind=kind,
            enclave=address_field(obj, "enclave"),
            x25519_key=hex_field(obj, "x25519_key", 32),
            operator=address_field(obj, "operator"),
            nonce=hex_field(obj, "nonce", 32),
            lifetime=lifetime,
            event_log=event_log,
        )


@dataclass(frozen=True)
class CertificateGrant:
    """One gatekeeper's signature over a worker certificate."""

    certificate: Certificate
    signature: bytes
    signer: str

    def to_json(self) -> dict[str, Any]:
        return {
            "certificate": certificate_to_json(self.certificate),
            "signature": to_hex(self.signature),
            "signer": self.signer,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> CertificateGrant:
        certificate = certificate_from_json(_field(obj, "certificate"))
        return cls(certificate, hex_field(obj, "signature", 65), address_field(obj, "signer"))
