"""Running the gatekeeper's HTTP API: in a background thread, or as the process's main loop.

:class:`GatekeeperServer` serves one node from a thread with its own event loop (tests, the
benchmarks, the demo run several in one process); :func:`serve` is the daemon's loop behind
``veritee gatekeeper run``. Both bind the configured host, ``127.0.0.1`` by default.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self

from aiohttp import web

from veritee.exceptions import NodeError
from veritee.gatekeeper.node import GatekeeperNode
from veritee.gatekeeper.service import create_app

__all__ = ["GatekeeperServer", "serve"]


async def _start(node: GatekeeperNode, host: str, port: int) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(node), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    return runner, f"http://{bound_host}:{bound_port}"


class GatekeeperServer:
    """Serves ``node`` on ``host:port`` (default: the node's configuration) from a thread."""

    def __init__(self, node: GatekeeperNode, host: str | None = None, port: int | None = None):
        self.node = node
        self.host = host or node.config.host
        self.port = node.config.port if port is None else port
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; returns the base URL (``http://127.0.0.1:PORT``)."""
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._runner, self.url = loop.run_until_complete(
                    _start(self.node, self.host, self.port)
                )
            except BaseException as exc:  # reported to start()'s caller
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(
            target=run, name=f"gatekeeper-{self.node.index}", daemon=True
        )
        self._thread.start()
        if not started.wait(timeout) or failure:
            raise NodeError(f"gatekeeper {self.node.index} did not start: {failure[:1]}")
        return self.url

    def stop(self) -> None:
        """Stop serving and wait for the thread. Safe to call twice."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


async def serve(node: GatekeeperNode, ready: Callable[[str], None] | None = None) -> None:
    """Serve ``node`` until SIGTERM or SIGINT; ``ready`` gets the URL once listening."""
    runner, url = await _start(node, node.config.host, node.config.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if ready is not None:
        ready(url)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
