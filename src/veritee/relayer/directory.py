"""Where each worker listens: its endpoint from the Workers registry, cached for a while."""

from __future__ import annotations

from collections.abc import Callable

from eth_utils import to_checksum_address

from veritee.chain.clients.registries import WorkersClient
from veritee.chain.types import WorkerStatus
from veritee.exceptions import JobError

__all__ = ["WorkerDirectory"]


class WorkerDirectory:
    """Endpoints of workers, re-read from the chain after ``ttl`` seconds or when forgotten.

    An endpoint is only a claim that helps reach a worker: whatever is served there still has
    to prove itself with the enclave key the registry holds, so a stale or wrong one costs
    retries, never safety.
    """

    def __init__(self, workers: WorkersClient, ttl: float, clock: Callable[[], float]) -> None:
        self._workers = workers
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[str, float]] = {}

    def endpoint(self, worker: str) -> str:
        """The worker's HTTP endpoint; :class:`JobError` if it has none or is not registered."""
        worker = to_checksum_address(worker)
        now = self._clock()
        cached = self._cache.get(worker)
        if cached is not None and now - cached[1] < self._ttl:
            return cached[0]
        info = self._workers.worker(worker)
        if info.status is WorkerStatus.UNKNOWN:
            raise JobError(f"worker {worker} is not registered")
        if not info.endpoint.startswith(("http://", "https://")):
            raise JobError(f"worker {worker} announces no HTTP endpoint ({info.endpoint!r})")
        self._cache[worker] = (info.endpoint, now)
        return info.endpoint

    def forget(self, worker: str) -> None:
        """Drops a cached endpoint (it failed: the worker may have moved)."""
        self._cache.pop(to_checksum_address(worker), None)
