"""Event-log parsing, RTMR replay and the dstack runtime-event digest."""

from __future__ import annotations

import hashlib
import json

import pytest
from dstack_sdk.dstack_client import replay_rtmr

from veritee.attestation.event_log import (
    DSTACK_RUNTIME_EVENT_TYPE,
    check_event_log,
    parse_event_log,
    replay_rtmrs,
    runtime_event,
    runtime_event_digest,
)
from veritee.attestation.types import EventLogEntry
from veritee.exceptions import QuoteError

BOOT = [EventLogEntry(imr, 0x80000001, hashlib.sha384(bytes([imr])).digest()) for imr in (0, 1, 2)]
RUNTIME = [
    runtime_event("app-id", bytes.fromhex("aa" * 20)),
    runtime_event("compose-hash", b"\x01" * 32),
    runtime_event("instance-id", b"\x02" * 20),
]


def registers_for(entries: list[EventLogEntry]) -> dict[str, bytes]:
    return {f"rtmr{index}": value for index, value in enumerate(replay_rtmrs(entries))}


def test_replay_matches_dstack_sdk() -> None:
    entries = BOOT + RUNTIME + [EventLogEntry(3, 1, b"\x07" * 20)]  # a short digest is padded
    replayed = replay_rtmrs(entries)
    for index in range(4):
        history = [entry.digest.hex() for entry in entries if entry.imr == index]
        assert replayed[index].hex() == replay_rtmr(history)
    assert replay_rtmrs([]) == (bytes(48),) * 4


def test_runtime_event_digest_formula() -> None:
    digest = runtime_event_digest(DSTACK_RUNTIME_EVENT_TYPE, "compose-hash", b"\x01\x02")
    expected = hashlib.sha384(b"\x01\x00\x00\x08" + b":compose-hash:" + b"\x01\x02").digest()
    assert digest == expected


def test_a_consistent_log_checks() -> None:
    entries = BOOT + RUNTIME
    check_event_log(registers_for(entries), entries)


def test_a_log_that_does_not_replay_names_the_register() -> None:
    entries = BOOT + RUNTIME
    registers = registers_for(entries)
    forged = [*entries[:-1], runtime_event("instance-id", b"\x03" * 20)]
    with pytest.raises(QuoteError, match="does not replay to the quote's RTMR3"):
        check_event_log(registers, forged)
    with pytest.raises(QuoteError, match="RTMR1"):
        check_event_log(registers, [e for e in entries if e.imr != 1])
    check_event_log(registers, [e for e in entries if e.imr != 1], check=(0, 2, 3))


def test_a_runtime_event_whose_payload_was_changed_is_caught() -> None:
    entries = BOOT + RUNTIME
    registers = registers_for(entries)
    lying = EventLogEntry(3, DSTACK_RUNTIME_EVENT_TYPE, RUNTIME[1].digest, "compose-hash", b"x")
    with pytest.raises(QuoteError, match=r"entry 4 \('compose-hash'\) has a digest that does not"):
        check_event_log(registers, [*BOOT, RUNTIME[0], lying, RUNTIME[2]])


def test_parse_dstack_json_round_trip() -> None:
    entries = BOOT + RUNTIME
    text = json.dumps([entry.to_json_dict() for entry in entries])
    assert parse_event_log(text) == tuple(entries)
    assert parse_event_log([entry.to_json_dict() for entry in entries]) == tuple(entries)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "malformed event log"),
        ('{"imr": 1}', "not a JSON list"),
        ('[{"imr": 0, "event_type": 1}]', "malformed event log"),
        ('[{"imr": 0, "event_type": 1, "digest": "zz"}]', "malformed event log"),
        ('[{"imr": 4, "event_type": 1, "digest": "00"}]', "unknown RTMR4"),
        ('[{"imr": 0, "event_type": 1, "digest": "' + "00" * 49 + '"}]', "over 48 bytes"),
    ],
)
def test_malformed_logs_are_quote_errors(text: str, message: str) -> None:
    with pytest.raises(QuoteError, match=message):
        parse_event_log(text)
