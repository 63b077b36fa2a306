"""The relayer: one deterministic round at a time, a loop of rounds, a thread, a daemon.

A round (:meth:`Relayer.tick`) follows the chain, delivers due jobs, settles what workers have
ready and expires overdue jobs, in that order. Tests drive rounds one by one with an injected
clock and random source; :meth:`Relayer.run` repeats them every ``poll_interval`` seconds until
:meth:`Relayer.stop`; :class:`RelayerThread` runs that loop in the background (the demo); and
:func:`serve` is the daemon, stopped by SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Self

import httpx
from web3.exceptions import Web3Exception

from veritee.chain.clients import Network
from veritee.chain.deployment import check_deployment
from veritee.exceptions import VeriteeError
from veritee.relayer.broadcast import RecordingSender
from veritee.relayer.config import RelayerConfig
from veritee.relayer.delivery import JobCourier
from veritee.relayer.directory import WorkerDirectory
from veritee.relayer.expiry import OverdueExpirer
from veritee.relayer.follower import ChainFollower
from veritee.relayer.settlement import Settler
from veritee.relayer.store import RelayerStore
from veritee.relayer.worker_client import WorkerClient

__all__ = ["Relayer", "RelayerThread", "TickReport", "serve"]

log = logging.getLogger(__name__)
#: What a failing round may raise that the loop survives (the next round tries again).
_ROUND_ERRORS = (VeriteeError, httpx.HTTPError, Web3Exception, OSError)


@dataclass
class TickReport:
    """What one round did."""

    head: int = 0
    cursor: int = 0
    new_jobs: int = 0
    rewound_to: int | None = None
    delivered: int = 0
    refused: int = 0
    retrying: int = 0
    abandoned: int = 0
    submitted: int = 0
    settled_jobs: int = 0
    reverted: int = 0
    recovered: int = 0
    expired: int = 0
    rejected: list[str] = field(default_factory=list)


class Relayer:
    """An untrusted relayer for one account on one deployment (see docs/relayer.md).

    ``clock`` (Unix seconds) and ``rng`` drive backoff and batch timing; ``transport`` replaces
    the HTTP transport to workers (tests). Close it (or use it as a context manager) to release
    the database and HTTP connections.
    """

    def __init__(
        self,
        config: RelayerConfig,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._stopped = threading.Event()
        self._round = threading.Lock()
        self._runner = asyncio.Runner()
        w3 = config.connect()
        check_deployment(w3, config.deployment)
        self.store = RelayerStore(config.db_path)
        try:
            self.store.bind(
                chain_id=str(config.deployment.chain_id),
                jobs=config.deployment.address("Jobs"),
                relayer=config.address,
            )
            self.sender = RecordingSender(w3, config.account, self.store)
            self.network = Network(w3, config.deployment, self.sender)
        except BaseException:
            self.store.close()
            raise
        self.directory = WorkerDirectory(self.network.workers, config.endpoint_ttl, clock)
        self.follower = ChainFollower(
            w3,
            self.network.jobs,
            self.store,
            confirmations=config.confirmations,
            start_block=config.start_block,
            max_block_range=config.max_block_range,
        )
        self.expirer = OverdueExpirer(self.network, self.store)
        # Built outside any event loop; its connection pool binds to the runner's loop, the
        # only one that ever uses it.
        self._http = httpx.AsyncClient(
            timeout=config.http_timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=config.max_concurrency),
            headers={"user-agent": "veritee-relayer"},
        )
        client = WorkerClient(self._http)
        self.courier = JobCourier(
            self.store,
            self.directory,
            client,
            config.retry,
            rng=self._rng,
            clock=clock,
            concurrency=config.max_concurrency,
        )
        self.settler = Settler(
            self.network,
            self.sender,
            self.store,
            self.directory,
            client,
            config.batch_plan,
            lease_seconds=config.lease_seconds,
            clock=clock,
            tx_timeout=config.tx_timeout,
        )

    @property
    def address(self) -> str:
        """The account that pays this relayer's gas."""
        return self.config.address

    def tick(self) -> TickReport:
        """One round: follow, deliver, settle, expire. Raises what the round could not handle."""
        with self._round:
            return self._runner.run(self._tick())

    async def _tick(self) -> TickReport:
        report = TickReport()
        followed = self.follower.step()
        report.head, report.cursor = followed.head, followed.cursor
        report.new_jobs, report.rewound_to = followed.new_jobs, followed.rewound_to
        chain_time = int(self.network.w3.eth.get_block("latest")["timestamp"])
        delivered = await self.courier.deliver_due(chain_time)
        report.delivered, report.refused = delivered.delivered, delivered.refused
        report.retrying, report.abandoned = delivered.retrying, delivered.abandoned
        settled = await self.settler.settle_round(chain_time)
        report.submitted, report.settled_jobs = settled.submitted, settled.settled_jobs
        report.reverted, report.recovered = settled.reverted, settled.recovered
        report.rejected = settled.rejected
        if self.config.expire_overdue:
            report.expired = self.expirer.expire_overdue(chain_time)
        return report

    def run(self) -> None:
        """Rounds every ``poll_interval`` seconds until :meth:`stop`; a failed round is logged."""
        self._stopped.clear()
        while not self._stopped.is_set():
            try:
                report = self.tick()
            except _ROUND_ERRORS as exc:
                log.error("relayer round failed (retrying next round): %s", exc)
            else:
                if report.new_jobs or report.delivered or report.settled_jobs or report.rejected:
                    log.info("round: %s", report)
            self._stopped.wait(self.config.poll_interval)

    def stop(self) -> None:
        """Ends :meth:`run` after the current round (safe from any thread or signal handler)."""
        self._stopped.set()

    def close(self) -> None:
        """Releases HTTP connections and the database. Safe to call twice."""
        with self._round:
            if not self._http.is_closed:
                self._runner.run(self._http.aclose())
            self._runner.close()
            self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RelayerThread:
    """Runs a :class:`Relayer` in a background thread, for in-process use (the demo).

    The relayer is built in the caller's thread, so a bad configuration fails at once.
    ``stop`` ends the loop, waits for the thread and closes the relayer.
    """

    def __init__(
        self,
        config: RelayerConfig,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.relayer = Relayer(config, clock=clock, rng=rng, transport=transport)
        self._thread = threading.Thread(
            target=self.relayer.run, name=f"relayer-{self.relayer.address[:10]}", daemon=True
        )

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.relayer.stop()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.relayer.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(config: RelayerConfig, ready: Callable[[Relayer], None] | None = None) -> None:
    """Runs a relayer until SIGTERM or SIGINT (call from the main thread)."""
    with Relayer(config) as relayer:

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("signal %d: stopping after this round", signum)
            relayer.stop()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            if ready is not None:
                ready(relayer)
            relayer.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
