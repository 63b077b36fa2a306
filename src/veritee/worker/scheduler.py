"""Running accepted jobs: at most ``capacity`` at once, the rest waiting in order, none dropped.

:class:`JobScheduler` owns an unbounded queue of job ids and ``capacity`` runner tasks on the
event loop; each runner takes the next id and awaits ``run(job_id)`` (the node's pipeline,
whose blocking parts go to a thread pool). A job can be queued again later (``retry_later``).
:meth:`JobScheduler.drain` is the graceful stop: runners take no new job, the running ones get
``timeout`` seconds to finish, and the rest are cancelled (``run`` hands them back to the queue
in the sealed state, so a restarted worker resumes them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

__all__ = ["JobScheduler"]

_log = logging.getLogger(__name__)


class JobScheduler:
    """Runs ``run(job_id)`` for queued ids, ``capacity`` at a time."""

    def __init__(self, run: Callable[[int], Awaitable[None]], capacity: int) -> None:
        self._run = run
        self.capacity = capacity
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._runners: list[asyncio.Task[None]] = []
        self._running: set[int] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._draining = False
        self._timers: set[asyncio.TimerHandle] = set()

    @property
    def running(self) -> frozenset[int]:
        """Ids of the jobs running now."""
        return frozenset(self._running)

    @property
    def waiting(self) -> int:
        """How many ids wait in the queue."""
        return self._queue.qsize()

    def start(self) -> None:
        """Start the runners (on the running event loop)."""
        if not self._runners:
            self._runners = [
                asyncio.create_task(self._runner(), name=f"worker-job-runner-{i}")
                for i in range(self.capacity)
            ]

    def submit(self, job_id: int) -> None:
        """Queue ``job_id`` to run."""
        if not self._draining:
            self._queue.put_nowait(job_id)

    def retry_later(self, job_id: int, delay: float) -> None:
        """Queue ``job_id`` again after ``delay`` seconds (unless draining by then)."""
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.discard(handle)
            self.submit(job_id)

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    async def _runner(self) -> None:
        while True:
            job_id = await self._queue.get()
            if self._draining:
                continue
            self._running.add(job_id)
            self._idle.clear()
            try:
                await self._run(job_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug in run(): keep serving the other jobs
                _log.exception("job %d: unexpected error in the worker", job_id)
            finally:
                self._running.discard(job_id)
                if not self._running:
                    self._idle.set()

    async def drain(self, timeout: float) -> set[int]:
        """Stop taking jobs, give running ones ``timeout`` seconds; returns those cut short."""
        self._draining = True
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        unfinished = set(self._running)
        for task in self._runners:
            task.cancel()
        await asyncio.gather(*self._runners, return_exceptions=True)
        self._runners = []
        return unfinished
