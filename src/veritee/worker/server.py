"""Running a worker: from a background thread (in-process), or as the process's main loop.

:class:`WorkerServer` serves one :class:`WorkerNode` from a thread with its own event loop (the
demo, tests and benchmarks run chain, gatekeepers and workers in one process); :func:`serve` is
the daemon behind ``veritee worker run``: it listens, boots the node, and on SIGTERM or SIGINT
shuts down gracefully (new deliveries get 503, running jobs get ``shutdown_timeout`` seconds,
the state is sealed). Both listen before booting, because the registration announces the URL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

from aiohttp import web

from veritee.exceptions import NodeError
from veritee.http_server import BackgroundServer, listen, serve_until_signalled
from veritee.worker.config import WorkerConfig
from veritee.worker.node import WorkerNode
from veritee.worker.service import create_app

__all__ = ["WorkerServer", "serve", "serve_async"]

T = TypeVar("T")


async def _boot(node: WorkerNode, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Listen, then boot ``node``; on a failed boot everything started is closed again."""
    runner, url = await listen(create_app(node), host, port)
    try:
        await node.start(url)
    except BaseException:
        await node.stop(timeout=0)
        await runner.cleanup()
        raise
    return runner, node.url


class WorkerServer(BackgroundServer):
    """Serves ``node`` on ``host:port`` (default: its configuration) from a thread."""

    def __init__(self, node: WorkerNode, host: str | None = None, port: int | None = None):
        super().__init__(
            host or node.config.host,
            node.config.port if port is None else port,
            thread_name="veritee-worker",
        )
        self.node = node

    def start(self, timeout: float = 120.0) -> str:
        """Listen and boot the node; returns its URL. Raises what the boot raised."""
        return super().start(timeout)

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
            await self._close_runner()

        limit = (self.node.config.shutdown_timeout if timeout is None else timeout) + 30
        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(limit)
        super().stop()

    async def _open(self) -> tuple[web.AppRunner, str]:
        return await _boot(self.node, self.host, self.port)

    def _raise_start_failure(self, cause: BaseException | None, timeout: float) -> NoReturn:
        if cause is not None:
            raise cause
        raise NodeError(f"the worker did not boot within {timeout} s")


async def serve_async(node: WorkerNode, ready: Callable[[str], None] | None = None) -> None:
    """Serve ``node`` until SIGTERM or SIGINT, then shut down gracefully."""
    runner, url = await _boot(node, node.config.host, node.config.port)
    await serve_until_signalled(runner, url, ready, shutdown=node.stop)


def serve(config: WorkerConfig, ready: Callable[[str], None] | None = None) -> None:
    """The daemon: build a :class:`WorkerNode` from ``config`` and serve it until signalled."""
    asyncio.run(serve_async(WorkerNode(config), ready))
