"""The evidence a TEE produces and the claims verification extracts from it.

A :class:`Quote` is what a provider returns: raw bytes in the TEE's native format plus, for
dstack, the event log that explains RTMR3. A :class:`VerifiedQuote` is what verification returns:
the claims a gatekeeper certifies on-chain.

The ``measurement`` of a verified quote is the ``bytes32`` that the TeePolicy contract lists per
TEE kind. It is SHA-256 over the kind's measurement registers, concatenated in a fixed order:

======================  ====================================================================
kind                    ``measurement``
======================  ====================================================================
tdx, dstack, simulated  ``sha256(mrtd ‖ rtmr0 ‖ rtmr1 ‖ rtmr2 ‖ rtmr3)`` (5 x 48 bytes)
sgx                     ``sha256(mrenclave ‖ mrsigner)`` (2 x 32 bytes)
======================  ====================================================================

A simulated quote has the shape of a TDX quote, so its registers and digest are defined the same
way; its MRTD is the SHA-384 of the worker's installed code and configuration. For dstack, RTMR3
is only trusted once the event log has been replayed against it (see
:mod:`veritee.attestation.event_log`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from veritee.chain.types import TcbStatus, TeeKind

__all__ = [
    "MEASUREMENT_REGISTERS",
    "EventLogEntry",
    "Quote",
    "VerifiedQuote",
    "measurement_digest",
]

_TD_REGISTERS = ("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3")

#: The registers, in order, whose concatenation :func:`measurement_digest` hashes, per kind.
MEASUREMENT_REGISTERS: Mapping[TeeKind, tuple[str, ...]] = MappingProxyType(
    {
        TeeKind.SIMULATED: _TD_REGISTERS,
        TeeKind.TDX: _TD_REGISTERS,
        TeeKind.DSTACK: _TD_REGISTERS,
        TeeKind.SGX: ("mrenclave", "mrsigner"),
    }
)


def measurement_digest(kind: TeeKind, registers: Mapping[str, bytes]) -> bytes:
    """The on-chain ``bytes32`` measurement of ``registers`` for a TEE ``kind``.

    Raises ``KeyError`` if a register the kind needs is missing.
    """
    return hashlib.sha256(
        b"".join(registers[name] for name in MEASUREMENT_REGISTERS[kind])
    ).digest()


@dataclass(frozen=True)
class EventLogEntry:
    """One measured event: ``RTMR[imr] = SHA-384(RTMR[imr] ‖ digest)``.

    ``event`` and ``payload`` are what dstack logs for runtime events (RTMR3); boot events carry
    only their digest.
    """

    imr: int
    event_type: int
    digest: bytes
    event: str = ""
    payload: bytes = b""

    def to_json_dict(self) -> dict[str, Any]:
        """The entry in dstack's event-log JSON shape (hex strings)."""
        return {
            "imr": self.imr,
            "event_type": self.event_type,
            "digest": self.digest.hex(),
            "event": self.event,
            "event_payload": self.payload.hex(),
        }


@dataclass(frozen=True)
class Quote:
    """Attestation evidence from a :class:`~veritee.attestation.provider.TeeProvider`."""

    kind: TeeKind
    raw: bytes
    event_log: tuple[EventLogEntry, ...] = ()

    @property
    def quote_hash(self) -> bytes:
        """``sha256(raw)``: how the chain refers to this quote."""
        return hashlib.sha256(self.raw).digest()


@dataclass(frozen=True)
class VerifiedQuote:
    """The claims of a quote that verified, ready to be certified on-chain.

    ``registers`` maps register names to their raw bytes (TDX: ``mrtd``, ``rtmr0`` to ``rtmr3``,
    ``mr_config_id``, ``mr_owner``, ``mr_owner_config``, ``mr_seam``, ``mr_signer_seam``,
    ``tee_tcb_svn``, ``td_attributes``, ``xfam``, ``seam_attributes``; SGX: ``mrenclave``,
    ``mrsigner``, ``isv_prod_id``, ``isv_svn`` (little-endian ``uint16``), ``cpu_svn``,
    ``attributes``, ``misc_select``). ``secure`` is False for simulated quotes, which prove
    nothing about the hardware.
    """

    kind: TeeKind
    tcb_status: TcbStatus
    advisory_ids: tuple[str, ...]
    registers: Mapping[str, bytes]
    report_data: bytes
    measurement: bytes
    quote_hash: bytes
    secure: bool
    verified_at: int
    event_log: tuple[EventLogEntry, ...] = field(default=())

    def to_json_dict(self) -> dict[str, Any]:
        """The claims as JSON-ready values (bytes as ``0x`` hex)."""
        return {
            "tee_kind": self.kind.name.lower(),
            "tee_kind_id": int(self.kind),
            "tcb_status": self.tcb_status.name,
            "tcb_status_id": int(self.tcb_status),
            "advisory_ids": list(self.advisory_ids),
            "registers": {name: "0x" + value.hex() for name, value in self.registers.items()},
            "report_data": "0x" + self.report_data.hex(),
            "measurement": "0x" + self.measurement.hex(),
            "quote_hash": "0x" + self.quote_hash.hex(),
            "secure": self.secure,
            "verified_at": self.verified_at,
            "event_log": [entry.to_json_dict() for entry in self.event_log],
        }
