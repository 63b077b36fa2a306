"""The gatekeeper's HTTP vocabulary, shared by the service and the client: JSON with 0x-hex bytes.

A key request's body is the exact JSON bytes the worker signed; the signed envelope travels in
headers (``X-Veritee-Worker``, ``-Action``, ``-Gatekeeper``, ``-Issued-At``, ``-Nonce``,
``-Signature``), and the gatekeeper recomputes the body hash itself. Parsing raises
:class:`~veritee.exceptions.MalformedRequest` naming the field.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_utils import is_address, to_checksum_address

from veritee.crypto.typed_data import Certificate
from veritee.exceptions import MalformedRequest
from veritee.gatekeeper.auth import SignedRequest

__all__ = [
    "HEADERS",
    "CapsuleShareBody",
    "NamedKeyBody",
    "ShareGrant",
    "address_field",
    "certificate_from_json",
    "certificate_to_json",
    "hex_field",
    "int_field",
    "json_object",
    "request_from_headers",
    "request_headers",
    "to_hex",
]

HEADERS = {
    "worker": "X-Veritee-Worker",
    "action": "X-Veritee-Action",
    "gatekeeper": "X-Veritee-Gatekeeper",
    "issued_at": "X-Veritee-Issued-At",
    "nonce": "X-Veritee-Nonce",
    "signature": "X-Veritee-Signature",
}
_UINT256 = (1 << 256) - 1
_UINT64 = (1 << 64) - 1
#: At most this many signatures travel with a presented certificate (the contract's set size).
MAX_CERTIFICATE_SIGNATURES = 32


def to_hex(value: bytes) -> str:
    """``0x``-prefixed hex."""
    return "0x" + value.hex()


def json_object(body: bytes) -> dict[str, Any]:
    """``body`` parsed as one JSON object."""
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRequest("body is not JSON", f"request body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise MalformedRequest("body is not a JSON object")
    return value


def _field(obj: Mapping[str, Any], name: str) -> Any:
    if name not in obj:
        raise MalformedRequest(f"missing field {name}")
    return obj[name]


def hex_field(obj: Mapping[str, Any], name: str, size: int | None = None) -> bytes:
    """Field ``name`` as bytes from 0x-hex, of exactly ``size`` bytes if given."""
    value = _field(obj, name)
    try:
        raw = bytes.fromhex(str(value).removeprefix("0x"))
    except ValueError:
        raise MalformedRequest(f"field {name} is not hex") from None
    if size is not None and len(raw) != size:
        raise MalformedRequest(f"field {name} must be {size} bytes")
    return raw


def int_field(obj: Mapping[str, Any], name: str, maximum: int = _UINT256) -> int:
    """Field ``name`` as an integer in ``[0, maximum]``."""
    value = _field(obj, name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise MalformedRequest(f"field {name} must be an integer in [0, {maximum}]")
    return value


@functools.lru_cache(maxsize=4096)
def _checksummed(value: str) -> str | None:
    """The checksummed form of an address string, or None (cached: addresses recur)."""
    if not value.startswith("0x") or not is_address(value):
        return None
    return to_checksum_address(value)


def address_field(obj: Mapping[str, Any], name: str) -> str:
    """Field ``name`` as a checksummed address."""
    value = _field(obj, name)
    address = _checksummed(value) if isinstance(value, str) and len(value) <= 42 else None
    if address is None:
        raise MalformedRequest(f"field {name} is not an address")
    return address


def request_headers(request: SignedRequest) -> dict[str, str]:
    """The headers that carry a signed request's envelope."""
    return {
        HEADERS["worker"]: request.worker,
        HEADERS["action"]: request.action,
        HEADERS["gatekeeper"]: request.gatekeeper,
        HEADERS["issued_at"]: str(request.issued_at),
        HEADERS["nonce"]: to_hex(request.nonce),
        HEADERS["signature"]: to_hex(request.signature),
    }


def request_from_headers(headers: Mapping[str, str], body: bytes) -> SignedRequest:
    """The signed request whose envelope is in ``headers`` and whose body is ``body``."""
    values: dict[str, Any] = {}
    for key, header in HEADERS.items():
        if header not in headers:
            raise MalformedRequest(f"missing header {header}")
        values[key] = headers[header]
    try:
        issued_at = int(values["issued_at"])
    except ValueError:
        raise MalformedRequest(f"header {HEADERS['issued_at']} is not an integer") from None
    return SignedRequest(
        worker=address_field(values, "worker"),
        action=str(values["action"]),
        body_sha256=hashlib.sha256(body).digest(),
        gatekeeper=address_field(values, "gatekeeper"),
        issued_at=issued_at,
        nonce=hex_field(values, "nonce"),
        signature=hex_field(values, "signature"),
    )


def certificate_to_json(certificate: Certificate) -> dict[str, Any]:
    """A worker certificate's fields as JSON (bytes as 0x-hex)."""
    c = certificate
    return {
        "enclave": c.enclave,
        "operator": c.operator,
        "x25519_key": to_hex(c.x25519_key),
        "measurement": to_hex(c.measurement),
        "tee_kind": c.tee_kind,
        "tcb_status": c.tcb_status,
        "quote_hash": to_hex(c.quote_hash),
        "issued_at": c.issued_at,
        "expiry": c.expiry,
    }


def certificate_from_json(value: Any) -> Certificate:
    """Parse :func:`certificate_to_json` output; raises MalformedRequest naming the field."""
    if not isinstance(value, dict):
        raise MalformedRequest("field certificate is not an object")
    return Certificate(
        enclave=address_field(value, "enclave"),
        operator=address_field(value, "operator"),
        x25519_key=hex_field(value, "x25519_key", 32),
        measurement=hex_field(value, "measurement", 32),
        tee_kind=int_field(value, "tee_kind", 255),
        tcb_status=int_field(value, "tcb_status", 255),
        quote_hash=hex_field(value, "quote_hash", 32),
        issued_at=int_field(value, "issued_at", _UINT64),
        expiry=int_field(value, "expiry", _UINT64),
    )


def _encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class CapsuleShareBody:
    """A request for a decryption share of ``capsule_id`` for ``job_id`` by ``worker``."""

    job_id: int
    capsule_id: int
    worker: str

    def encode(self) -> bytes:
        """The canonical JSON bytes a worker signs and sends."""
        return _encode(
            {"job_id": self.job_id, "capsule_id": self.capsule_id, "worker": self.worker}
        )

    @classmethod
    def parse(cls, body: bytes) -> CapsuleShareBody:
        """Parse a request body; raises MalformedRequest."""
        obj = json_object(body)
        return cls(
            int_field(obj, "job_id"), int_field(obj, "capsule_id"), address_field(obj, "worker")
        )


@dataclass(frozen=True)
class NamedKeyBody:
    """A request for a share of the named key ``name`` by ``worker``.

    A worker not (yet) certified on-chain may present its gatekeeper certificate and the
    gatekeepers' signatures over it (as ``/v1/certify`` issued them) to get its sealing key;
    without them (the fields absent) the body is as before.
    """

    name: str
    worker: str
    certificate: Certificate | None = None
    signatures: tuple[bytes, ...] = ()

    def encode(self) -> bytes:
        """The canonical JSON bytes a worker signs and sends."""
        document: dict[str, Any] = {"name": self.name, "worker": self.worker}
        if self.certificate is not None:
            document["certificate"] = certificate_to_json(self.certificate)
            document["signatures"] = [to_hex(s) for s in self.signatures]
        return _encode(document)

    @classmethod
    def parse(cls, body: bytes) -> NamedKeyBody:
        """Parse a request body; raises MalformedRequest."""
        obj = json_object(body)
        name = _field(obj, "name")
        if not isinstance(name, str) or not 0 < len(name) <= 200:
            raise MalformedRequest("field name must be a string of 1 to 200 characters")
        worker = address_field(obj, "worker")
        if "certificate" not in obj and "signatures" not in obj:
            return cls(name, worker)
        certificate = certificate_from_json(_field(obj, "certificate"))
        signatures = _field(obj, "signatures")
        if (
            not isinstance(signatures, list)
            or not 0 < len(signatures) <= MAX_CERTIFICATE_SIGNATURES
        ):
            raise MalformedRequest(
                f"field signatures must be a list of 1 to {MAX_CERTIFICATE_SIGNATURES} signatures"
            )
        return cls(
            name,
            worker,
            certificate,
            tuple(hex_field({"signature": s}, "signature", 65) for s in signatures),
        )


@dataclass(frozen=True)
class ShareGrant:
    """A gatekeeper's answer to a key request: its share, sealed to the worker's X25519 key."""

    gatekeeper: int
    envelope: bytes

    def to_json(self) -> dict[str, Any]:
        return {"gatekeeper": self.gatekeeper, "envelope": to_hex(self.envelope)}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> ShareGrant:
        return cls(int_field(obj, "gatekeeper", 1 << 16), hex_field(obj, "envelope"))
