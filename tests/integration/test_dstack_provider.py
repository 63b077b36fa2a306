"""The dstack backend, through the real dstack-sdk client, against a dstack-compatible server."""

from __future__ import annotations

import dataclasses

import pytest
from dstack_sdk import DstackClient

from tests.integration.dstack_server import (
    APP_ID,
    COMPOSE_HASH,
    EVENT_LOG,
    ISSUED_AT,
    DstackTestServer,
    registers_for,
)
from veritee.attestation import QuoteVerifier, ReportDataBinding, check_report_data, make_provider
from veritee.attestation.dstack import DstackProvider
from veritee.attestation.event_log import runtime_event
from veritee.attestation.types import measurement_digest
from veritee.chain.types import TeeKind
from veritee.exceptions import AttestationError, QuoteError

BINDING = ReportDataBinding(
    domain="veritee.worker.v1",
    chain_id=31337,
    registry="0x" + "11" * 20,
    enclave="0x" + "22" * 20,
    x25519_public=b"\x09" * 32,
    operator="0x" + "33" * 20,
)
NONCE = b"\x01" * 32
REPORT_DATA = BINDING.report_data(NONCE)


def test_quote_and_event_log_replay_through_dstack_sdk() -> None:
    with DstackTestServer() as server:
        quote = DstackProvider(server.endpoint).get_quote(REPORT_DATA)
        assert server.requests == [("/GetQuote", {"report_data": REPORT_DATA.hex()})]
        assert quote.kind == TeeKind.DSTACK
        assert quote.event_log == EVENT_LOG
        events = {entry.event: entry.payload for entry in quote.event_log if entry.imr == 3}
        assert events["app-id"] == APP_ID
        assert events["compose-hash"] == COMPOSE_HASH

        verifier = QuoteVerifier(simulated_platform_keys=[server.platform.public_key_pem()])
        verified = verifier.verify_quote(quote, now=ISSUED_AT)
        assert verified.kind == TeeKind.SIMULATED  # a simulator's quote is never "secure"
        assert verified.secure is False
        assert verified.event_log == EVENT_LOG
        assert verified.measurement == measurement_digest(TeeKind.DSTACK, registers_for(EVENT_LOG))
        check_report_data(verified.report_data, BINDING, NONCE)


def test_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with DstackTestServer() as server:
        monkeypatch.setenv("DSTACK_SIMULATOR_ENDPOINT", server.endpoint)
        provider = make_provider("dstack")
        assert isinstance(provider, DstackProvider)
        assert provider.endpoint == server.endpoint
        assert provider.get_quote(REPORT_DATA).kind == TeeKind.DSTACK


def test_info_is_compatible_with_dstack_sdk() -> None:
    with DstackTestServer() as server:
        client = DstackClient(server.endpoint)
        with client:
            info = client.info()
        assert info.app_id == APP_ID.hex()
        assert info.tcb_info.rtmr3 == registers_for(EVENT_LOG)["rtmr3"].hex()
        assert len(info.tcb_info.event_log) == len(EVENT_LOG)


def test_an_event_log_that_does_not_replay_is_rejected() -> None:
    with (
        DstackTestServer("bad_replay") as server,
        pytest.raises(QuoteError, match="does not replay to the quote's RTMR3"),
    ):
        DstackProvider(server.endpoint).get_quote(REPORT_DATA)


def test_an_event_whose_payload_was_swapped_is_rejected() -> None:
    with (
        DstackTestServer("bad_digest") as server,
        pytest.raises(QuoteError, match=r"'compose-hash'.* does not match its payload"),
    ):
        DstackProvider(server.endpoint).get_quote(REPORT_DATA)


def test_the_verifier_replays_the_log_again() -> None:
    with DstackTestServer() as server:
        quote = DstackProvider(server.endpoint).get_quote(REPORT_DATA)
        key = server.platform.public_key_pem()
    forged_log = (*quote.event_log[:-1], runtime_event("boot-mr-done", b"forged"))
    forged = dataclasses.replace(quote, event_log=forged_log)
    with pytest.raises(QuoteError, match="RTMR3"):
        QuoteVerifier(simulated_platform_keys=[key]).verify_quote(forged, now=ISSUED_AT)
    stripped = dataclasses.replace(quote, event_log=())
    with pytest.raises(QuoteError, match="RTMR0"):
        QuoteVerifier(simulated_platform_keys=[key]).verify_quote(stripped, now=ISSUED_AT)


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        ("wrong_report_data", QuoteError, "not a TDX quote over our report data"),
        ("error500", AttestationError, "refused GetQuote: HTTP 500"),
        ("not_hex", QuoteError, "not hex"),
    ],
)
def test_misbehaving_agents(mode: str, error: type[Exception], message: str) -> None:
    with DstackTestServer(mode) as server, pytest.raises(error, match=message):
        DstackProvider(server.endpoint).get_quote(REPORT_DATA)
