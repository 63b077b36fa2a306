"""A dstack-compatible guest-agent test server: ``POST /GetQuote`` and ``POST /Info``.

It speaks the JSON the real ``dstack-sdk`` sends and expects (read from dstack_sdk 0.5.4): requests
are JSON bodies (``{"report_data": "<hex>"}`` for GetQuote, ``{}`` for Info); GetQuote answers
``{"quote", "event_log", "report_data", "vm_config"}`` with the event log as a JSON string; Info
answers the app identity with ``tcb_info`` as a JSON string. Its quotes are simulated TDX-shaped
quotes (signed by :attr:`platform`) whose RTMR0-3 are the replay of the event log it returns,
unless a ``mode`` makes it lie.
"""

from __future__ import annotations

import hashlib
import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.integration.loopback_server import LoopbackServer
from veritee.attestation.event_log import replay_rtmrs, runtime_event
from veritee.attestation.simulated import SimulatedPlatform, build_simulated_quote
from veritee.attestation.types import EventLogEntry

ISSUED_AT = 1_750_000_000
APP_ID = bytes.fromhex("ee" * 20)
COMPOSE_HASH = hashlib.sha256(b"services: {worker: {image: veritee}}").digest()
MRTD = hashlib.sha384(b"dstack test OS image").digest()

BOOT_EVENTS = tuple(
    EventLogEntry(imr, 0x80000001 + imr, hashlib.sha384(f"boot {imr}.{n}".encode()).digest())
    for imr in (0, 1, 2)
    for n in range(2)
)
RUNTIME_EVENTS = (
    runtime_event("system-preparing", b""),
    runtime_event("app-id", APP_ID),
    runtime_event("compose-hash", COMPOSE_HASH),
    runtime_event("instance-id", bytes.fromhex("01" * 20)),
    runtime_event("boot-mr-done", b""),
)
EVENT_LOG = BOOT_EVENTS + RUNTIME_EVENTS

MODES = ("good", "bad_replay", "bad_digest", "wrong_report_data", "error500", "not_hex")


def registers_for(events: tuple[EventLogEntry, ...]) -> dict[str, bytes]:
    """MRTD and the RTMRs that ``events`` replay to."""
    rtmrs = replay_rtmrs(events)
    return {"mrtd": MRTD, **{f"rtmr{i}": value for i, value in enumerate(rtmrs)}}


class DstackTestServer(LoopbackServer):
    """Runs on 127.0.0.1 on a free port in a background thread; use as a context manager."""

    def __init__(self, mode: str = "good") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        self.platform = SimulatedPlatform.generate()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        super().__init__(self._handler())

    @property
    def endpoint(self) -> str:
        return self.base_url

    def get_quote(self, report_data: bytes) -> dict[str, Any]:
        """The GetQuote answer for ``report_data``, shaped by the mode."""
        events = EVENT_LOG
        logged = EVENT_LOG
        if self.mode == "bad_replay":
            # The log claims another instance id than the one measured into RTMR3.
            logged = (*EVENT_LOG[:-2], runtime_event("instance-id", b"\x02" * 20), EVENT_LOG[-1])
        elif self.mode == "bad_digest":
            honest = EVENT_LOG[-3]
            lying = EventLogEntry(3, honest.event_type, honest.digest, honest.event, b"\xff" * 32)
            logged = (*EVENT_LOG[:-3], lying, *EVENT_LOG[-2:])
        if self.mode == "wrong_report_data":
            report_data = bytes(64)
        raw = build_simulated_quote(self.platform, report_data, registers_for(events), ISSUED_AT)
        return {
            "quote": "zz" if self.mode == "not_hex" else raw.hex(),
            "event_log": json.dumps([entry.to_json_dict() for entry in logged]),
            "report_data": report_data.hex(),
            "vm_config": "{}",
        }

    def info(self) -> dict[str, Any]:
        """The Info answer: app identity and TCB info (with the event log)."""
        registers = registers_for(EVENT_LOG)
        tcb_info = {
            **{name: value.hex() for name, value in registers.items()},
            "app_compose": '{"services": {}}',
            "event_log": [entry.to_json_dict() for entry in EVENT_LOG],
            "mr_aggregated": hashlib.sha256(b"".join(registers.values())).hexdigest(),
            "os_image_hash": "00" * 32,
            "compose_hash": COMPOSE_HASH.hex(),
            "device_id": "00" * 32,
        }
        return {
            "app_id": APP_ID.hex(),
            "instance_id": "01" * 20,
            "app_cert": "",
            "tcb_info": json.dumps(tcb_info),
            "app_name": "veritee-test",
            "device_id": "00" * 32,
            "key_provider_info": "{}",
            "compose_hash": COMPOSE_HASH.hex(),
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append((self.path, body))
                if server.mode == "error500" or self.path not in ("/GetQuote", "/Info"):
                    self._reply(500 if server.mode == "error500" else 404, {"error": "nope"})
                elif self.path == "/GetQuote":
                    self._reply(200, server.get_quote(bytes.fromhex(body["report_data"])))
                else:
                    self._reply(200, server.info())

            def _reply(self, status: int, document: dict[str, Any]) -> None:
                payload = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
