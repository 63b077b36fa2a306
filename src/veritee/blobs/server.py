"""Running a blob server: in a background thread, or as the process's main loop.

:class:`BlobServer` serves a :class:`~veritee.blobs.local.LocalBlobStore` from a thread with its
own event loop (tests, the demo, a worker that hosts its results); :func:`serve_blobs` is a
daemon's blocking loop, stopped by SIGTERM or SIGINT. Both bind ``127.0.0.1`` unless told
otherwise: a blob server holds only ciphertexts and hashes, but exposing it is a choice.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self

from aiohttp import web

from veritee.blobs.local import LocalBlobStore
from veritee.blobs.service import create_app
from veritee.exceptions import NodeError

__all__ = ["BlobServer", "serve_blobs"]


async def _start(store: LocalBlobStore, host: str, port: int) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(store), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_host, bound_port = runner.addresses[0][:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    return runner, f"http://{shown}:{bound_port}/blobs"


class BlobServer:
    """Serves ``store`` on ``host:port`` (port 0: any free port) from a background thread."""

    def __init__(self, store: LocalBlobStore, host: str = "127.0.0.1", port: int = 0) -> None:
        self.store = store
        self.host = host
        self.port = port
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; returns the store's base URL (``http://127.0.0.1:PORT/blobs``)."""
        if self._thread is not None and self._thread.is_alive():
            return self.url
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                runner, self.url = loop.run_until_complete(_start(self.store, self.host, self.port))
            except BaseException as exc:  # reported to start()'s caller
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="blob-server", daemon=True)
        self._thread.start()
        if not started.wait(timeout) or failure:
            cause = failure[0] if failure else None
            raise NodeError(
                f"blob server on {self.host}:{self.port} did not start: {cause or 'timed out'}"
            ) from cause
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


async def _serve(
    store: LocalBlobStore, host: str, port: int, ready: Callable[[str], None] | None
) -> None:
    runner, url = await _start(store, host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        if ready is not None:
            ready(url)
        await stop.wait()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await runner.cleanup()


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
    asyncio.run(_serve(store, host, port, ready))
