"""Running a blob server: in a background thread, or as the process's main loop.

:class:`BlobServer` serves a :class:`~veritee.blobs.local.LocalBlobStore` from a thread with its
own event loop (tests, the demo, a worker that hosts its results); :func:`serve_blobs` is a
daemon's blocking loop, stopped by SIGTERM or SIGINT. Both bind ``127.0.0.1`` unless told
otherwise: a blob server holds only ciphertexts and hashes, but exposing it is a choice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import NoReturn

from aiohttp import web

from veritee.blobs.local import LocalBlobStore
from veritee.blobs.service import create_app
from veritee.exceptions import NodeError
from veritee.http_server import BackgroundServer, listen, serve_until_signalled

__all__ = ["BlobServer", "serve_blobs"]


async def _start(store: LocalBlobStore, host: str, port: int) -> tuple[web.AppRunner, str]:
    runner, url = await listen(create_app(store), host, port)
    return runner, f"{url}/blobs"


class BlobServer(BackgroundServer):
    """Serves ``store`` on ``host:port`` (port 0: any free port) from a background thread."""

    def __init__(self, store: LocalBlobStore, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port, thread_name="blob-server")
        self.store = store

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; returns the store's base URL (``http://127.0.0.1:PORT/blobs``)."""
        if self._thread is not None and self._thread.is_alive():
            return self.url
        return super().start(timeout)

    async def _open(self) -> tuple[web.AppRunner, str]:
        return await _start(self.store, self.host, self.port)

    def _raise_start_failure(self, cause: BaseException | None, timeout: float) -> NoReturn:
        raise NodeError(
            f"blob server on {self.host}:{self.port} did not start: {cause or 'timed out'}"
        ) from cause


def serve_blobs(
    store: LocalBlobStore,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``store`` on ``host:port`` until SIGTERM or SIGINT (call from the main thread).

    ``ready`` gets the base URL (``http://HOST:PORT/blobs``) once the server listens.
    """

    async def main() -> None:
        runner, url = await _start(store, host, port)
        await serve_until_signalled(runner, url, ready)

    asyncio.run(main())
