"""The 64 bytes of report data that bind a quote to an enclave's keys, its context and a nonce.

DESIGN §3: an enclave's quote carries ``report_data = binding ‖ nonce`` where ::

    binding = sha256(0x01 ‖ lp(domain) ‖ lp(chain id) ‖ lp(registry) ‖ lp(enclave)
                     ‖ lp(x25519 public key) ‖ lp(operator))

``lp(x)`` is ``x`` prefixed with its length as a big-endian ``uint32``; the domain is UTF-8, the
chain id a 32-byte big-endian integer, addresses their 20 raw bytes. The leading byte versions the
encoding. The nonce (32 bytes) is the verifier's freshness challenge. A quote whose report data
matches proves that *this* enclave, holding *these* keys, for *this* operator, registry and chain,
answered *this* challenge.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

from eth_utils import is_address, is_checksum_address, to_canonical_address

from veritee.exceptions import ReportDataMismatch

__all__ = ["REPORT_DATA_VERSION", "ReportDataBinding", "check_report_data"]

#: Version byte of the binding encoding.
REPORT_DATA_VERSION = 1


def _length_prefixed(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def _address_bytes(name: str, value: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or not is_address(value):
        raise ValueError(f"{name} must be a 0x-prefixed 20-byte address, got {value!r}")
    digits = value[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(value):
        raise ValueError(f"{name} {value!r} has mixed case but an invalid EIP-55 checksum")
    return bytes(to_canonical_address(value))


@dataclass(frozen=True)
class ReportDataBinding:
    """What an enclave's report data commits to (everything but the nonce).

    ``domain`` names the protocol and purpose (for example ``"veritee.worker.v1"``), so that report
    data made for one purpose never verifies for another.
    """

    domain: str
    chain_id: int
    registry: str
    enclave: str
    x25519_public: bytes
    operator: str

    def __post_init__(self) -> None:
        if not self.domain:
            raise ValueError("domain must not be empty")
        if not 0 <= self.chain_id < 2**256:
            raise ValueError("chain_id must be a uint256")
        if len(self.x25519_public) != 32:
            raise ValueError("x25519_public must be 32 bytes")
        for name in ("registry", "enclave", "operator"):
            _address_bytes(name, getattr(self, name))

    def encode(self) -> bytes:
        """The canonical, length-prefixed encoding that :meth:`digest` hashes."""
        return bytes([REPORT_DATA_VERSION]) + b"".join(
            _length_prefixed(part)
            for part in (
                self.domain.encode("utf-8"),
                self.chain_id.to_bytes(32, "big"),
                _address_bytes("registry", self.registry),
                _address_bytes("enclave", self.enclave),
                self.x25519_public,
                _address_bytes("operator", self.operator),
            )
        )

    def digest(self) -> bytes:
        """The 32-byte first half of the report data."""
        return hashlib.sha256(self.encode()).digest()

    def report_data(self, nonce: bytes) -> bytes:
        """The 64 bytes an enclave puts in its quote: ``digest() ‖ nonce``."""
        if len(nonce) != 32:
            raise ValueError("nonce must be 32 bytes")
        return self.digest() + nonce


def check_report_data(report_data: bytes, binding: ReportDataBinding, nonce: bytes) -> None:
    """Raises :class:`ReportDataMismatch` unless ``report_data == binding.report_data(nonce)``.

    Both halves are compared in constant time and both are always checked; the error says which
    half differs (the binding: wrong enclave, keys, operator, registry, chain or domain; the nonce:
    a stale or replayed quote).
    """
    expected = binding.report_data(nonce)
    if len(report_data) != 64:
        raise ReportDataMismatch(f"report data must be 64 bytes, got {len(report_data)}")
    binding_ok = hmac.compare_digest(report_data[:32], expected[:32])
    nonce_ok = hmac.compare_digest(report_data[32:], expected[32:])
    if not binding_ok and not nonce_ok:
        raise ReportDataMismatch(
            "report data binds neither the expected enclave keys and context nor the nonce"
        )
    if not binding_ok:
        raise ReportDataMismatch(
            "report data does not bind the expected domain, chain, registry, enclave address, "
            "x25519 key and operator"
        )
    if not nonce_ok:
        raise ReportDataMismatch(
            "report data does not carry the expected nonce (stale or replayed)"
        )
