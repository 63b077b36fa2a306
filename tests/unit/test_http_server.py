"""veritee.http_server: an aiohttp app served from a background thread, and its failures."""

from __future__ import annotations

import socket
from typing import NoReturn

import httpx
import pytest
from aiohttp import web

from veritee.exceptions import NodeError
from veritee.http_server import BackgroundServer, listen


class _Hello(BackgroundServer):
    def __init__(self, port: int = 0) -> None:
        super().__init__("127.0.0.1", port, thread_name="hello")

    async def _open(self) -> tuple[web.AppRunner, str]:
        async def hello(request: web.Request) -> web.Response:
            return web.Response(text="hello")

        app = web.Application()
        app.router.add_get("/", hello)
        return await listen(app, self.host, self.port)

    def _raise_start_failure(self, cause: BaseException | None, timeout: float) -> NoReturn:
        raise NodeError(f"hello did not start: {cause}") from cause


def test_serves_from_a_thread_until_stopped() -> None:
    with _Hello() as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert httpx.get(server.url).text == "hello"
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url)
    server.stop()  # a second stop is harmless


def test_a_failed_start_is_raised_to_the_caller() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = _Hello(taken.getsockname()[1])
        with pytest.raises(NodeError, match="hello did not start") as caught:
            server.start()
    assert isinstance(caught.value.__cause__, OSError)
