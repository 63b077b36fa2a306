"""TDX event logs: parse dstack's JSON log, replay it, and check it against a quote's RTMRs.

Each event extends one runtime measurement register: ``RTMR[imr] = SHA-384(RTMR[imr] ‖ digest)``,
starting from 48 zero bytes (digests shorter than 48 bytes are zero-padded, as dstack does). A log
that replays to the quote's RTMRs explains them; one that does not is a lie about what ran.
dstack's runtime events (type ``0x08000001``, all in RTMR3: app id, compose hash, instance id,
key provider, ...) also carry their content, and their digest must be
``SHA-384(event_type as uint32 LE ‖ ":" ‖ event name ‖ ":" ‖ payload)``; boot events
(RTMR0 to RTMR2) carry only a digest, which replay alone vouches for.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from veritee.attestation.types import EventLogEntry
from veritee.exceptions import QuoteError

__all__ = [
    "DSTACK_RUNTIME_EVENT_TYPE",
    "check_event_log",
    "parse_event_log",
    "replay_rtmrs",
    "runtime_event",
    "runtime_event_digest",
]

#: The event type dstack gives its runtime events (not a TCG-defined type).
DSTACK_RUNTIME_EVENT_TYPE = 0x08000001
_REGISTER_LENGTH = 48
_REGISTER_COUNT = 4


def runtime_event_digest(event_type: int, event: str, payload: bytes) -> bytes:
    """The SHA-384 digest dstack extends into RTMR3 for a runtime event."""
    return hashlib.sha384(
        struct.pack("<I", event_type) + b":" + event.encode("utf-8") + b":" + payload
    ).digest()


def runtime_event(event: str, payload: bytes) -> EventLogEntry:
    """A dstack runtime event for RTMR3, with its digest."""
    digest = runtime_event_digest(DSTACK_RUNTIME_EVENT_TYPE, event, payload)
    return EventLogEntry(3, DSTACK_RUNTIME_EVENT_TYPE, digest, event, payload)


def parse_event_log(event_log: str | Sequence[Mapping[str, Any]]) -> tuple[EventLogEntry, ...]:
    """Entries from dstack's event-log JSON (a list of objects with hex ``digest`` and payload)."""
    try:
        items = json.loads(event_log) if isinstance(event_log, str) else event_log
        if not isinstance(items, list):
            raise TypeError("the event log is not a JSON list")
        entries = tuple(
            EventLogEntry(
                imr=int(item["imr"]),
                event_type=int(item["event_type"]),
                digest=bytes.fromhex(item["digest"]),
                event=str(item.get("event", "")),
                payload=bytes.fromhex(item.get("event_payload", "") or ""),
            )
            for item in items
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise QuoteError(f"malformed event log: {exc}") from exc
    for index, entry in enumerate(entries):
        if not 0 <= entry.imr < _REGISTER_COUNT:
            raise QuoteError(f"malformed event log: entry {index} extends unknown RTMR{entry.imr}")
        if len(entry.digest) > _REGISTER_LENGTH:
            raise QuoteError(f"malformed event log: entry {index} has a digest over 48 bytes")
    return entries


def replay_rtmrs(entries: Iterable[EventLogEntry]) -> tuple[bytes, bytes, bytes, bytes]:
    """RTMR0 to RTMR3 as the events would leave them, starting from zeros."""
    registers = [bytes(_REGISTER_LENGTH)] * _REGISTER_COUNT
    for entry in entries:
        digest = entry.digest.ljust(_REGISTER_LENGTH, b"\0")
        registers[entry.imr] = hashlib.sha384(registers[entry.imr] + digest).digest()
    return registers[0], registers[1], registers[2], registers[3]


def check_event_log(
    registers: Mapping[str, bytes],
    entries: Sequence[EventLogEntry],
    check: Iterable[int] = range(_REGISTER_COUNT),
) -> None:
    """Raises :class:`QuoteError` unless ``entries`` explain the quote's RTMRs.

    ``registers`` are the quote's (``rtmr0`` ... ``rtmr3``); ``check`` the RTMR indices to
    compare (all four by default). Every runtime event's digest must match its content.
    """
    for index, entry in enumerate(entries):
        if entry.event_type != DSTACK_RUNTIME_EVENT_TYPE:
            continue
        expected = runtime_event_digest(entry.event_type, entry.event, entry.payload)
        if not hmac.compare_digest(entry.digest, expected):
            raise QuoteError(
                f"event log entry {index} ({entry.event!r}) has a digest that does not match "
                "its payload"
            )
    replayed = replay_rtmrs(entries)
    for register in check:
        name = f"rtmr{register}"
        if not hmac.compare_digest(replayed[register], registers[name]):
            raise QuoteError(
                f"event log does not replay to the quote's RTMR{register}: "
                f"replayed {replayed[register].hex()}, quote has {registers[name].hex()}"
            )
