"""TDX quotes, with their event log, from the dstack guest agent (``dstack-sdk``).

Inside a dstack CVM the guest agent listens on ``/var/run/dstack.sock``; its ``GetQuote`` call
returns a TDX quote over our report data and the event log that explains the quote's RTMRs (boot
events, then dstack's runtime events in RTMR3: app id, compose hash, instance id, ...). The log is
replayed against the quote before the quote is handed out, so a lying agent is caught early; the
verifier replays it again.

Endpoint: the ``endpoint`` argument, else ``$DSTACK_SIMULATOR_ENDPOINT``, else the first dstack
socket that exists (``/var/run/dstack.sock`` by default). An ``http(s)://`` endpoint is a dstack
simulator or test server.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import httpx
from dstack_sdk import DstackClient
from pydantic import ValidationError

from veritee.attestation.event_log import check_event_log, parse_event_log
from veritee.attestation.provider import TeeProvider, check_report_data_length
from veritee.attestation.quote_format import parse_quote
from veritee.attestation.types import Quote
from veritee.chain.types import TeeKind
from veritee.exceptions import AttestationError, QuoteError, TeeUnavailable

__all__ = ["DSTACK_SOCKET_PATHS", "DstackProvider", "resolve_dstack_endpoint"]

#: Where the dstack guest agent's socket may be, in the order dstack-sdk looks.
DSTACK_SOCKET_PATHS = (
    "/var/run/dstack.sock",
    "/run/dstack.sock",
    "/var/run/dstack/dstack.sock",
    "/run/dstack/dstack.sock",
)


def resolve_dstack_endpoint(endpoint: str | None = None) -> str:
    """The endpoint to use: argument, then ``$DSTACK_SIMULATOR_ENDPOINT``, then a socket path.

    Raises :class:`TeeUnavailable` when it is a socket path that does not exist.
    """
    chosen = endpoint or os.environ.get("DSTACK_SIMULATOR_ENDPOINT")
    if not chosen:
        chosen = next((path for path in DSTACK_SOCKET_PATHS if Path(path).exists()), None)
        chosen = chosen or DSTACK_SOCKET_PATHS[0]
    if not chosen.startswith(("http://", "https://")) and not Path(chosen).exists():
        raise TeeUnavailable(
            f"dstack guest agent socket not found at {chosen}: not running inside a dstack CVM "
            "(set DSTACK_SIMULATOR_ENDPOINT or pass endpoint= to use a simulator)"
        )
    return chosen


class DstackProvider(TeeProvider):
    """Quotes and event logs from the dstack guest agent.

    ``check_registers`` are the RTMR indices whose replay must match (all four by default).
    """

    kind = TeeKind.DSTACK

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        timeout: float = 10.0,
        check_registers: Iterable[int] = (0, 1, 2, 3),
    ) -> None:
        self.endpoint = resolve_dstack_endpoint(endpoint)
        self.timeout = timeout
        self.check_registers = tuple(check_registers)

    def get_quote(self, report_data: bytes) -> Quote:
        """A quote over ``report_data`` with the event log, replayed against its RTMRs."""
        data = check_report_data_length(report_data)
        try:
            client = DstackClient(self.endpoint, timeout=self.timeout)
            with client:
                response = client.get_quote(data)
        except FileNotFoundError as exc:
            raise TeeUnavailable(f"dstack guest agent socket not found: {exc}") from exc
        except httpx.HTTPStatusError as exc:
            raise AttestationError(
                f"dstack guest agent at {self.endpoint} refused GetQuote: HTTP "
                f"{exc.response.status_code} {exc.response.text[:200]}"
            ) from exc
        except httpx.TransportError as exc:
            raise TeeUnavailable(
                f"cannot reach the dstack guest agent at {self.endpoint}: {exc}"
            ) from exc
        except (ValidationError, ValueError) as exc:
            raise AttestationError(f"malformed GetQuote response from dstack: {exc}") from exc
        try:
            raw = bytes.fromhex(response.quote.removeprefix("0x"))
        except ValueError as exc:
            raise QuoteError(f"dstack returned a quote that is not hex: {exc}") from exc
        parsed = parse_quote(raw)
        # The dstack simulator's quotes are simulated; the verifier decides what they are worth.
        if parsed.kind not in (TeeKind.TDX, TeeKind.SIMULATED) or parsed.report_data != data:
            raise QuoteError("dstack returned a quote that is not a TDX quote over our report data")
        entries = parse_event_log(response.event_log or "[]")
        check_event_log(parsed.registers, entries, self.check_registers)
        return Quote(kind=TeeKind.DSTACK, raw=raw, event_log=entries)
