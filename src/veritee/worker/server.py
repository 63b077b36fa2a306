"""Running a worker: from a background thread (in-process), or as the process's main loop.

:class:`WorkerServer` serves one :class:`WorkerNode` from a thread with its own event loop (the
demo, tests and benchmarks run chain, gatekeepers and workers in one process); :func:`serve` is
the daemon behind ``veritee worker run``: it listens, boots the node, and on SIGTERM or SIGINT
shuts down gracefully (new deliveries get 503, running jobs get ``shutdown_timeout`` seconds,
the state is sealed). Both listen before booting, because the registration announces the URL.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web

from veritee.exceptions import NodeError
from veritee.worker.config import WorkerConfig
from veritee.worker.node import WorkerNode
from veritee.worker.service import create_app

__all__ = ["WorkerServer", "serve", "serve_async"]

T = TypeVar("T")


async def _listen(node: WorkerNode, host: str, port: int) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(node), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    return runner, f"http://{bound_host}:{bound_port}"


async def _boot(node: WorkerNode, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Listen, then boot ``node``; on a failed boot everything started is closed again."""
    runner, url = await _listen(node, host, port)
    try:
        await node.start(url)
    except BaseException:
        await node.stop(timeout=0)
        await runner.cleanup()
        raise
    return runner, node.url


class WorkerServer:
    """Serves ``node`` on ``host:port`` (default: its configuration) from a thread."""

    def __init__(self, node: WorkerNode, host: str | None = None, port: int | None = None):
        self.node = node
        self.host = host or node.config.host
        self.port = node.config.port if port is None else port
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def start(self, timeout: float = 120.0) -> str:
        """Listen and boot the node; returns its URL. Raises what the boot raised."""
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._runner, self.url = loop.run_until_complete(
                    _boot(self.node, self.host, self.port)
                )
            except BaseException as exc:  # reported to start()'s caller
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="veritee-worker", daemon=True)
        self._thread.start()
        if not started.wait(timeout):
            raise NodeError(f"the worker did not boot within {timeout} s")
        if failure:
            raise failure[0]
        return self.url

    def call(self, make: Callable[[], Coroutine[Any, Any, T]], timeout: float = 60.0) -> T:
        """Run the coroutine ``make()`` on the node's event loop; returns its result.

        The node lives on that loop: in-process callers (tests, the demo) reach it this way.
        """
        if self._loop is None:
            raise NodeError("the worker server is not running")

        async def run() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def stop(self, timeout: float | None = None) -> None:
        """Shut down gracefully (see :meth:`WorkerNode.stop`) and wait. Safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return

        async def shutdown() -> None:
            await self.node.stop(timeout)
            if self._runner is not None:
                await self._runner.cleanup()
                self._runner = None

        limit = (self.node.config.shutdown_timeout if timeout is None else timeout) + 30
        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(limit)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

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


async def serve_async(node: WorkerNode, ready: Callable[[str], None] | None = None) -> None:
    """Serve ``node`` until SIGTERM or SIGINT, then shut down gracefully."""
    runner, url = await _boot(node, node.config.host, node.config.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if ready is not None:
        ready(url)
    try:
        await stop.wait()
    finally:
        await node.stop()
        await runner.cleanup()


def serve(config: WorkerConfig, ready: Callable[[str], None] | None = None) -> None:
    """The daemon: build a :class:`WorkerNode` from ``config`` and serve it until signalled."""
    asyncio.run(serve_async(WorkerNode(config), ready))
