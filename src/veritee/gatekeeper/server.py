"""Running the gatekeeper's HTTP API: in a background thread, or as the process's main loop.

:class:`GatekeeperServer` serves one node from a thread with its own event loop (tests, the
benchmarks, the demo run several in one process); :func:`serve` is the daemon's loop behind
``veritee gatekeeper run``. Both bind the configured host, ``127.0.0.1`` by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from aiohttp import web

from veritee.exceptions import NodeError
from veritee.gatekeeper.node import GatekeeperNode
from veritee.gatekeeper.service import create_app
from veritee.http_server import BackgroundServer, listen, serve_until_signalled

__all__ = ["GatekeeperServer", "serve"]


class GatekeeperServer(BackgroundServer):
    """Serves ``node`` on ``host:port`` (default: the node's configuration) from a thread."""

    def __init__(self, node: GatekeeperNode, host: str | None = None, port: int | None = None):
        super().__init__(
            host or node.config.host,
            node.config.port if port is None else port,
            thread_name=f"gatekeeper-{node.index}",
        )
        self.node = node

    async def _open(self) -> tuple[web.AppRunner, str]:
        return await listen(create_app(self.node), self.host, self.port)

    def _raise_start_failure(self, cause: BaseException | None, timeout: float) -> NoReturn:
        failure = [] if cause is None else [cause]
        raise NodeError(f"gatekeeper {self.node.index} did not start: {failure}")


async def serve(node: GatekeeperNode, ready: Callable[[str], None] | None = None) -> None:
    """Serve ``node`` until SIGTERM or SIGINT; ``ready`` gets the URL once listening."""
    runner, url = await listen(create_app(node), node.config.host, node.config.port)
    await serve_until_signalled(runner, url, ready)
