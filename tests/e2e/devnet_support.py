"""Driving a real ``veritee devnet up`` network from tests: reach its parts, kill and restart them.

The network is started the way a user starts it (``python -m veritee devnet up --dir DIR``), so
every part is its own process, detached in its own session. :class:`Devnet` holds the clients a
test needs (chain, blob store, HTTP, the SDK for a development account), kills a part by its
recorded PID, and restarts it with the same configuration file, recording the new PID in
``devnet.json`` so that ``devnet_down`` stops it. DEVELOPMENT KEYS ONLY: they are public.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from eth_account.signers.local import LocalAccount

from veritee.blobs import open_store
from veritee.chain.backend import RemoteAnvil, anvil_binary, dev_accounts
from veritee.chain.clients import Network
from veritee.chain.clients.base import ChainEvent
from veritee.chain.deployment import Deployment
from veritee.chain.sender import TransactionSender
from veritee.chain.types import JobId, JobStatus
from veritee.devnet.launcher import devnet_down
from veritee.devnet.processes import Part, is_running, spawn, stop, wait_for_announcement
from veritee.devnet.state import ROLES, DevnetState
from veritee.protocol import JobDelivery
from veritee.sdk import ClientOptions, SyncClient

__all__ = [
    "PREDICT",
    "REQUESTER",
    "TOKEN",
    "Devnet",
    "WorkerRef",
    "delivery_of",
    "devnet_running",
    "wait_until",
]

TOKEN = 10**18
#: A development account with no devnet role: the SDK requester of these tests, so that its
#: claimable balance moves only with the jobs a test submits.
REQUESTER = 6
#: One patient for the bundled risk model (columns of ``RISK_FEATURES``).
PREDICT: dict[str, Any] = {
    "v": 1,
    "task": "predict",
    "inputs": {"features": [[61.0, 31.0, 150.0, 7.0, 3.0, 1.0]]},
}
_PYTHON = [sys.executable, "-m", "veritee"]
FINAL = (JobStatus.SETTLED, JobStatus.FAILED, JobStatus.EXPIRED)

T = TypeVar("T")


def wait_until(check: Callable[[], T | None], timeout: float, what: str, pause: float = 0.1) -> T:
    """``check()``'s first truthy value, polling; AssertionError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(pause)


def delivery_of(network: Network, job_id: int) -> JobDelivery:
    """The ``JobSubmitted`` fields of ``job_id`` as a relayer would deliver them."""
    job = network.jobs.job(JobId(job_id))
    return JobDelivery(
        job_id=job_id,
        requester=job.requester,
        model_id=int(job.model_id),
        capsule_ids=tuple(int(c) for c in job.capsule_ids),
        input_hash=job.input_hash,
        input_uri=job.input_uri,
        result_key=job.result_key,
        deadline=job.deadline,
    )


@dataclass(frozen=True)
class WorkerRef:
    """One worker process of the devnet: its part name, enclave address and HTTP URL."""

    name: str
    enclave: str
    url: str


class Devnet:
    """Clients for a running devnet in ``directory`` and control over its processes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state = DevnetState.load(directory)
        self.deployment = Deployment.load(self.state.deployment_path)
        self.backend = RemoteAnvil(self.state.rpc_url)
        self.blobs = open_store(self.state.blob_url)
        self.http = httpx.Client(timeout=10.0)
        self._networks: dict[int, Network] = {}
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._restarts = 0

    # -- chain and accounts ----------------------------------------------------------------

    @property
    def model_id(self) -> int:
        return self.state.model_id

    @staticmethod
    def account(index: int) -> LocalAccount:
        return dev_accounts(index + 1)[index]

    def network(self, who: int | str) -> Network:
        """Clients sending as development account ``who`` (an index or a devnet role)."""
        index = ROLES[who] if isinstance(who, str) else who
        if index not in self._networks:
            sender = TransactionSender(self.backend.w3, self.account(index))
            self._networks[index] = Network.connect(self.backend.w3, self.deployment, sender)
        return self._networks[index]

    @contextmanager
    def sdk(self, who: int | str = REQUESTER) -> Iterator[SyncClient]:
        """The SDK as account ``who``, polling fast."""
        index = ROLES[who] if isinstance(who, str) else who
        options = ClientOptions(poll_interval=0.2, status_timeout=2.0)
        with SyncClient(
            self.network(index), bytes(self.account(index).key), self.blobs, options=options
        ) as client:
            yield client

    def events(self, name: str, job_id: int) -> list[ChainEvent]:
        """Every ``name`` event of the Jobs contract for ``job_id``."""
        return self.network(REQUESTER).jobs.events(
            name, from_block=self.deployment.block, argument_filters={"job_id": job_id}
        )

    def status(self, job_id: int) -> JobStatus:
        return self.network(REQUESTER).jobs.status(JobId(job_id))

    def wait_final(self, job_ids: list[int], timeout: float) -> dict[int, JobStatus]:
        """Waits until every job is settled, failed or expired; returns their statuses."""

        def done() -> dict[int, JobStatus] | None:
            statuses = {job_id: self.status(job_id) for job_id in job_ids}
            return statuses if all(s in FINAL for s in statuses.values()) else None

        return wait_until(done, timeout, f"jobs {job_ids} to reach a final state", pause=0.2)

    def conserved(self) -> bool:
        """The Jobs contract holds exactly what it owes: escrow plus everything claimable."""
        net = self.network(REQUESTER)
        held = net.token.balance_of(net.jobs.address)
        return net.jobs.escrowed() + net.jobs.total_claimable() == held

    # -- parts -------------------------------------------------------------------------------

    def part(self, name: str) -> Part:
        return next(p for p in self.state.parts if p.name == name)

    def worker(self, name: str) -> WorkerRef:
        record = next(w for w in self.state.workers if w["name"] == name)
        return WorkerRef(name, str(record["enclave"]), str(record["url"]))

    def kill(self, name: str) -> Part:
        """SIGKILL part ``name`` by its recorded PID (only if that PID still runs it)."""
        part = self.part(name)
        assert is_running(part), f"{name} (pid {part.pid}) is not running"
        os.kill(part.pid, signal.SIGKILL)
        self._reap(part.pid)
        wait_until(lambda: not is_running(part), 10, f"{name} to die")
        return part

    def stop(self, name: str) -> None:
        """SIGTERM part ``name`` and wait for it to exit (as ``devnet down`` does)."""
        part = self.part(name)
        assert stop(part), f"{name} (pid {part.pid}) was not running"
        self._reap(part.pid)

    def restart(self, name: str) -> Part:
        """Start part ``name`` again with its own configuration file; records the new PID."""
        old = self.part(name)
        assert old.kind in ("relayer", "worker"), f"cannot restart a {old.kind}"
        assert not is_running(old), f"{name} is still running"
        argv = [*_PYTHON, old.kind, "run", "--config", old.marker, "--json"]
        logs = Path(old.log)
        self._restarts += 1
        log_name = f"{name}.restart-{self._restarts}"
        process = spawn(argv, logs, log_name)
        self._children[process.pid] = process
        announcement = wait_for_announcement(process, logs, log_name)
        url = str(announcement.get("url", old.url))
        new = Part(name, old.kind, process.pid, url, old.log, argv[-2])
        self.state.parts = [new if p.name == name else p for p in self.state.parts]
        for record in self.state.workers:
            if record["name"] == name:
                record["url"] = url
        self.state.save()
        return new

    def worker_config(self, name: str) -> Path:
        return Path(self.part(name).marker)

    def _reap(self, pid: int) -> None:
        child = self._children.pop(pid, None)
        if child is not None:
            child.wait(timeout=30)

    def close(self) -> None:
        self.http.close()
        self.blobs.close()
        self.backend.close()  # every Network here shares the backend's connection
        self._networks.clear()

    def reap_all(self) -> None:
        for pid in list(self._children):
            child = self._children.pop(pid)
            if child.poll() is None:
                child.kill()
            child.wait(timeout=30)


@contextmanager
def devnet_running(directory: Path) -> Iterator[Devnet]:
    """``veritee devnet up --dir directory`` as a user runs it; always ``devnet_down`` after."""
    env = {**os.environ, "VERITEE_ANVIL": str(anvil_binary())}
    up = subprocess.Popen(
        [*_PYTHON, "devnet", "up", "--dir", str(directory), "--json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = up.communicate(timeout=240)
    except BaseException:
        # SIGINT lets `up` stop the parts it started so far; SIGKILL would leave them running.
        up.send_signal(signal.SIGINT)
        try:
            up.communicate(timeout=60)
        finally:
            if up.poll() is None:
                up.kill()
                up.wait()
        raise
    devnet: Devnet | None = None
    try:
        assert up.returncode == 0, err.decode(errors="replace")[-4000:]
        report = json.loads(out.decode().strip().splitlines()[-1])
        assert report["directory"] == str(directory)
        devnet = Devnet(directory)
        yield devnet
    finally:
        if devnet is not None:
            devnet.close()
        if (directory / "devnet.json").exists():
            devnet_down(directory)
        if devnet is not None:
            devnet.reap_all()
