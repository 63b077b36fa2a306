"""Serving an aiohttp application: from a background thread, or as a daemon's main loop.

:class:`BackgroundServer` runs an app from a daemon thread with its own event loop (tests, the
demo and the benchmarks run several services in one process); :func:`serve_until_signalled` is
the daemons' loop, which ends on SIGTERM or SIGINT. The gatekeeper, worker and blob servers build
on both and keep what is theirs: what starting means, how a failed start reads, how they stop.
"""

from __future__ import annotations

import abc
import asyncio
import signal
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import NoReturn, Self

from aiohttp import web

__all__ = ["BackgroundServer", "listen", "serve_until_signalled"]

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def listen(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on ``host:port``; returns its runner and base URL (``http://HOST:PORT``)."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_host, bound_port = runner.addresses[0][:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    return runner, f"http://{shown}:{bound_port}"


async def serve_until_signalled(
    runner: web.AppRunner,
    url: str,
    ready: Callable[[str], None] | None = None,
    shutdown: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT, then await ``shutdown()`` (if given) and close ``runner``.

    ``ready`` gets ``url`` once the signal handlers are in place. They stay in place to the end,
    so that a second signal cannot cut a graceful shutdown short.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in _SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    try:
        try:
            if ready is not None:
                ready(url)
            await stop.wait()
        finally:
            if shutdown is not None:
                await shutdown()
            await runner.cleanup()
    finally:
        for signum in _SIGNALS:
            loop.remove_signal_handler(signum)


class BackgroundServer(abc.ABC):
    """Runs an aiohttp app from a daemon thread with its own event loop; a context manager.

    A subclass says how it opens (:meth:`_open`: listen, and whatever else starting takes) and
    what a failed start raises (:meth:`_raise_start_failure`). :meth:`stop` stops the loop; a
    runner still open then is cleaned up on it before the thread ends.
    """

    def __init__(self, host: str, port: int, *, thread_name: str) -> None:
        self.host = host
        self.port = port
        self.url = ""
        self._thread_name = thread_name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @abc.abstractmethod
    async def _open(self) -> tuple[web.AppRunner, str]:
        """Start serving on this thread's loop; returns the runner and the base URL."""

    @abc.abstractmethod
    def _raise_start_failure(self, cause: BaseException | None, timeout: float) -> NoReturn:
        """Raise for a start that failed with ``cause``, or (``None``) outlasted ``timeout``."""

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; returns the base URL once it listens, or raises why it does not."""
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._runner, self.url = loop.run_until_complete(self._open())
            except BaseException as exc:  # reported to start()'s caller
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            if self._runner is not None:
                loop.run_until_complete(self._close_runner())
            loop.close()

        self._thread = threading.Thread(target=run, name=self._thread_name, daemon=True)
        self._thread.start()
        if not started.wait(timeout) or failure:
            self._raise_start_failure(failure[0] if failure else None, timeout)
        return self.url

    def stop(self) -> None:
        """Stop serving and wait for the thread. Safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)

    async def _close_runner(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

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
