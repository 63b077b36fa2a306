"""An httpx transport over aiohttp's client: the gatekeeper client's default wire.

A key release fans out to every gatekeeper, so the client's cost per HTTP request sits on the
critical path ``n`` times. httpx's own transport (httpcore over anyio and h11) costs about
1 ms of CPU per request on loopback and writes headers and body in two ``send`` calls; this
transport, behind the same ``httpx.AsyncClient`` interface, costs about a third of that
(``bench/gatekeeper.py`` measures the release latency it buys). Any other transport can still
be injected (tests pass ``httpx.MockTransport``). :meth:`AiohttpTransport.post` goes one step
further for the key requests, which sit on a release's critical path: it skips httpx's request
and response models (URL parsing, header objects, cookie extraction), which cost the client more
CPU per request than aiohttp's own work (about 0.25 ms against 0.18 ms on a loopback request).

Errors become httpx's: a refused or dropped connection is ``httpx.ConnectError`` /
``httpx.RemoteProtocolError``, a timeout ``httpx.TimeoutException``. One transport serves one
event loop at a time; it opens its aiohttp session lazily, on first use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import aiohttp
import httpx

__all__ = ["AiohttpTransport"]

# Hop-by-hop or computed headers: aiohttp writes its own.
_SKIP = {b"host", b"content-length", b"connection", b"transfer-encoding"}


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests with an ``aiohttp.ClientSession`` (keep-alive, TCP_NODELAY)."""

    def __init__(self, limit_per_host: int = 16) -> None:
        self._limit = limit_per_host
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _session_for_loop(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop or self._session.closed:
            connector = aiohttp.TCPConnector(limit_per_host=self._limit)
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, skip_auto_headers=("User-Agent",)
            )
            self._loop = loop
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read the whole response."""
        timeouts = request.extensions.get("timeout", {})
        headers = [
            (k.decode(), v.decode()) for k, v in request.headers.raw if k.lower() not in _SKIP
        ]
        body = await request.aread()
        status, _, raw_headers, content = await self._send(
            request.method,
            str(request.url),
            headers,
            body,
            timeouts.get("connect"),
            timeouts.get("read"),
            request,
        )
        return httpx.Response(status, headers=raw_headers, content=content, request=request)

    async def post(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float | None
    ) -> tuple[int, str, bytes]:
        """POST ``body`` to ``url`` without httpx's models: status, reason phrase and body.

        ``timeout`` bounds the connection and each read, as an ``httpx.AsyncClient(timeout=…)``
        would. Errors are the httpx exceptions :meth:`handle_async_request` raises.
        """
        status, reason, _, content = await self._send(
            "POST", url, headers.items(), body, timeout, timeout, None
        )
        return status, reason, content

    async def _send(
        self,
        method: str,
        url: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        connect_timeout: float | None,
        read_timeout: float | None,
        request: httpx.Request | None,
    ) -> tuple[int, str, list[tuple[bytes, bytes]], bytes]:
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout, sock_read=read_timeout
        )
        session = self._session_for_loop()
        try:
            async with session.request(
                method,
                url,
                headers=list(headers),
                data=body or None,
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                content = await response.read()
                reason = response.reason or ""
                return response.status, reason, list(response.raw_headers), content
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise httpx.TimeoutException(str(exc) or "timed out", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.RemoteProtocolError(
                str(exc) or type(exc).__name__, request=request
            ) from exc

    async def aclose(self) -> None:
        """Close the session (and its connections)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
