"""AiohttpTransport's direct POST, as post_json uses it, against a loopback aiohttp server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web

from veritee.gatekeeper.outcomes import GatekeeperEndpoint, OutcomeKind
from veritee.gatekeeper.quorum import Refusal, post_json
from veritee.gatekeeper.transport import AiohttpTransport


async def _echo(request: web.Request) -> web.Response:
    body = await request.read()
    if request.path == "/denied":
        return web.json_response({"reason": "job is not assigned"}, status=403)
    if request.path == "/text":
        return web.Response(text="not json", status=200)
    headers = {k: v for k, v in request.headers.items() if k.startswith("X-")}
    return web.json_response({"body": body.decode(), "headers": headers})


def _serve(test: Callable[[str], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        app = web.Application()
        app.router.add_post("/{path:.*}", _echo)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        try:
            return await test(f"http://{host}:{port}")
        finally:
            await runner.cleanup()

    return asyncio.run(main())


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_post_sends_body_and_headers_and_returns_status_reason_body() -> None:
    async def test(url: str) -> tuple[int, str, bytes]:
        transport = AiohttpTransport()
        try:
            return await transport.post(url + "/x", b"{}", {"X-Veritee-Nonce": "0x01"}, 5.0)
        finally:
            await transport.aclose()

    status, reason, content = _serve(test)
    assert (status, reason) == (200, "OK")
    assert httpx.Response(200, content=content).json() == {
        "body": "{}",
        "headers": {"X-Veritee-Nonce": "0x01"},
    }


def test_post_json_over_the_transport_reports_answers_and_refusals() -> None:
    async def test(url: str) -> list[object]:
        transport = AiohttpTransport()
        outcomes: list[object] = []
        try:
            for base, path in ((url, "/ok"), (url, "/denied"), (url, "/text"), (_dead_url(), "/")):
                endpoint = GatekeeperEndpoint(1, "0x" + "11" * 20, base)
                try:
                    outcomes.append(await post_json(transport, endpoint, path, b"{}", timeout=5))
                except Refusal as refusal:
                    outcomes.append(refusal.outcome)
        finally:
            await transport.aclose()
        return outcomes

    ok, denied, text, down = _serve(test)
    assert ok == {"body": "{}", "headers": {}}
    assert (denied.kind, denied.http_status, denied.reason) == (  # type: ignore[attr-defined]
        OutcomeKind.DENIED,
        403,
        "job is not assigned",
    )
    assert (text.http_status, text.reason) == (200, "OK")  # type: ignore[attr-defined]
    assert down.kind is OutcomeKind.DOWN  # type: ignore[attr-defined]
    assert "ConnectError" in (down.reason or "")  # type: ignore[attr-defined]


def test_post_times_out_as_httpx_does() -> None:
    async def main() -> None:
        answered = asyncio.Event()

        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await answered.wait()  # never answers; closes once the client gave up
            writer.close()
            await writer.wait_closed()

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport = AiohttpTransport()
        try:
            with pytest.raises(httpx.TimeoutException):
                await transport.post(f"http://127.0.0.1:{port}/", b"{}", {}, 0.05)
        finally:
            await transport.aclose()
            answered.set()
            server.close()
            await server.wait_closed()

    asyncio.run(main())
