"""Test doubles for the relayer suites: a fake worker speaking docs/jobs.md, a manual clock.

Not a test module (it holds none): the relayer suites import from it. The fake worker serves
``/v1/jobs``, ``/v1/batches``, ``/v1/status`` and ``/v1/health`` with aiohttp on 127.0.0.1, re-reads
every delivered job from the chain as a real worker does, "runs" each accepted job at once, and
signs real EIP-712 result batches with its enclave key (registered on-chain with a development
certificate), leasing them to the asking relayer. Switches make it misbehave on purpose.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import web
from eth_utils import keccak
from web3 import Web3
from web3.types import TxReceipt

from veritee.chain import ChainBackend
from veritee.chain.clients import JobRequest, Network
from veritee.chain.clients.base import ContractClient
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.chain.types import JobId, JobStatus, ModelId
from veritee.crypto.typed_data import JobResult, address_of, batch_digest, sign_digest
from veritee.exceptions import JobError
from veritee.protocol import BatchRequest, JobDelivery, SignedBatch
from veritee.relayer import RelayerConfig


class ManualClock:
    """A clock (Unix seconds) that moves only when told to."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def free_port() -> int:
    """A port nothing listens on right now (for a worker that is down at first)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class _Lease:
    relayer: str
    until: float


@dataclass
class FakeWorker:
    """A worker enclave behind an HTTP server; start with ``with`` or :meth:`start`."""

    devnet: DevNetwork
    enclave_key: bytes
    clock: ManualClock
    port: int = 0
    # Misbehaviour switches.
    refuse: dict[int, str] = field(default_factory=dict)  # job id -> 409 reason
    tamper: bool = False  # change a result hash after signing
    ignore_leases: bool = False  # offer leased results to anyone
    offer_finished: bool = False  # offer results of jobs no longer pending on-chain
    # What happened.
    deliveries: Counter[int] = field(default_factory=Counter)
    batches: list[SignedBatch] = field(default_factory=list)
    accepted: dict[int, JobDelivery] = field(default_factory=dict)
    results: dict[int, JobResult] = field(default_factory=dict)
    leases: dict[int, _Lease] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.address = address_of(self.enclave_key)
        self.chain = Network(self.devnet.backend.w3, self.devnet.deployment)
        self.domain = self.chain.jobs.domain()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Self:
        app = web.Application()
        app.router.add_post("/v1/jobs", self._jobs)
        app.router.add_post("/v1/batches", self._batches)
        app.router.add_get("/v1/status", self._status)
        app.router.add_get("/v1/health", self._health)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._runner = web.AppRunner(app, access_log=None)
        asyncio.run_coroutine_threadsafe(self._listen(self._runner), self._loop).result(10)
        return self

    async def _listen(self, runner: web.AppRunner) -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.port)
        await site.start()
        self.port = int(runner.addresses[0][1])

    def stop(self) -> None:
        if self._loop is None or self._runner is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = self._runner = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- handlers -----------------------------------------------------------------------------

    def _chain_now(self) -> int:
        return self.devnet.now()

    async def _jobs(self, request: web.Request) -> web.Response:
        try:
            delivery = JobDelivery.from_json(await request.json())
        except (JobError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        self.deliveries[delivery.job_id] += 1
        if delivery.job_id in self.refuse:
            return web.json_response({"error": self.refuse[delivery.job_id]}, status=409)
        if delivery.job_id in self.accepted:
            return web.json_response({"job_id": delivery.job_id, "state": "done"}, status=200)
        job = self.chain.jobs.job(JobId(delivery.job_id))
        if job.worker != self.address:
            return web.json_response({"error": "job not assigned to this worker"}, status=409)
        if job.status is not JobStatus.PENDING:
            return web.json_response({"error": "job not pending"}, status=409)
        if (job.input_hash, job.input_uri, job.deadline) != (
            delivery.input_hash,
            delivery.input_uri,
            delivery.deadline,
        ):
            return web.json_response({"error": "delivered job differs from the chain"}, status=409)
        self.accepted[delivery.job_id] = delivery
        result_hash = keccak(b"result of job " + delivery.job_id.to_bytes(32, "big"))
        self.results[delivery.job_id] = JobResult(
            delivery.job_id, result_hash, f"blob://result/{delivery.job_id}"
        )
        return web.json_response({"job_id": delivery.job_id, "state": "queued"}, status=202)

    def _offerable(self, job_id: int, now: float) -> bool:
        lease = self.leases.get(job_id)
        if lease is not None and lease.until > now and not self.ignore_leases:
            return False
        if self.offer_finished:
            return True
        job = self.chain.jobs.job(JobId(job_id))
        return job.status is JobStatus.PENDING and job.deadline >= self._chain_now()

    async def _batches(self, request: web.Request) -> web.Response:
        try:
            ask = BatchRequest.from_json(await request.json())
        except (JobError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        now = self.clock()
        chosen = [job for job in sorted(self.results) if self._offerable(job, now)]
        chosen = chosen[: ask.max_results]
        if not chosen:
            return web.Response(status=204)
        results = tuple(self.results[job] for job in chosen)
        digest = batch_digest(self.domain, self.address, results)
        batch = SignedBatch(self.address, results, sign_digest(self.enclave_key, digest))
        if self.tamper:
            first = results[0]
            forged = JobResult(first.job_id, keccak(b"forged"), first.result_uri, first.status)
            batch = SignedBatch(self.address, (forged, *results[1:]), batch.signature)
        for job in chosen:
            self.leases[job] = _Lease(ask.relayer, now + ask.lease_seconds)
        self.batches.append(batch)
        return web.json_response(batch.to_json())

    async def _status(self, request: web.Request) -> web.Response:
        now = self.clock()
        counts: dict[str, Any] = Counter()
        for job in self.results:
            status = self.chain.jobs.status(JobId(job))
            if status is not JobStatus.PENDING:
                counts["settled"] += 1
            elif job in self.leases and self.leases[job].until > now:
                counts["leased"] += 1
            else:
                counts["ready"] += 1
        body = {
            "enclave": self.address,
            "jobs": {
                k: counts[k] for k in ("queued", "running", "ready", "leased", "settled", "failed")
            },
        }
        return web.json_response(body)

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "enclave": self.address})


# -- the world the relayer suites share --------------------------------------------------------

TOKEN = 10**18
OPERATOR, REQUESTER, MODEL_OWNER, RELAYER_A, RELAYER_B = 1, 2, 3, 5, 6
ENCLAVE_KEY = keccak(b"relayer-suite enclave key (development only)")
MAX_FEE = 10 * TOKEN


@dataclass
class World:
    """A development network with a verified model and a certified, bonded worker."""

    devnet: DevNetwork
    model_id: ModelId
    enclave: str

    @property
    def w3(self) -> Web3:
        return self.devnet.backend.w3

    def submit(self, count: int = 1, *, deadline_in: int = 3_600, tag: bytes = b"") -> list[JobId]:
        """Submits ``count`` jobs for the worker from the requester's account."""
        requester = self.devnet.network(REQUESTER)
        self.transact(requester.token, "approve", requester.jobs.address, count * MAX_FEE)
        submitted = []
        for _ in range(count):
            nonce = len(submitted).to_bytes(4, "big") + tag
            request = JobRequest(
                worker=self.enclave,
                model_id=self.model_id,
                input_hash=keccak(b"input" + nonce + self.devnet.now().to_bytes(8, "big")),
                input_uri="blob://input",
                result_key=keccak(b"result key"),
                max_fee=MAX_FEE,
                deadline=self.devnet.now() + deadline_in,
            )
            receipt = self.transact(requester.jobs, "submit", request.as_tuple())
            event = requester.jobs.events_in(receipt, "JobSubmitted")[0]
            submitted.append(JobId(event.args["job_id"]))
        return submitted

    def point_worker_to(self, url: str) -> None:
        workers = self.devnet.network(OPERATOR).workers
        self.transact(workers, "set_endpoint", self.enclave, url)

    @staticmethod
    def transact(client: ContractClient, function: str, *args: Any) -> TxReceipt:
        """Sends a call with a fixed gas limit: eth-tester's gas estimate is a slow search."""
        assert client.sender is not None
        tx = client.build(function, *args, gas=1_000_000)
        return client.sender.send_and_wait(tx, function=function)

    def worker(self, clock: ManualClock, port: int = 0) -> FakeWorker:
        return FakeWorker(self.devnet, ENCLAVE_KEY, clock, port=port)

    def config(self, db_path: Path, account: int = RELAYER_A, **changes: Any) -> RelayerConfig:
        settings: dict[str, Any] = {
            "deployment": self.devnet.deployment,
            "private_key": bytes(self.devnet.backend.accounts[account].key),
            "w3": self.w3,
            "db_path": db_path,
            "confirmations": 0,
            "batch_size": 100,
            "batch_wait": 0,
            "lease_seconds": 30,
            "base_backoff": 1.0,
            "max_backoff": 8.0,
            "max_attempts": 4,
            "http_timeout": 5.0,
            "poll_interval": 0.02,
            "tx_timeout": 60.0,
        }
        settings.update(changes)
        return RelayerConfig(**settings)

    def settled(self) -> list[int]:
        """Job ids in every ``JobSettled`` event so far, with repeats if any."""
        return [int(e.args["job_id"]) for e in self.devnet.network(0).jobs.events("JobSettled")]

    def status(self, job_id: int) -> JobStatus:
        return self.devnet.network(0).jobs.status(JobId(job_id))

    def sent_by(self, account: int) -> int:
        """How many transactions an account has had mined."""
        return int(self.w3.eth.get_transaction_count(self.devnet.backend.accounts[account].address))


def build_world(backend: ChainBackend) -> World:
    devnet = deploy_dev_network(backend)
    admin = devnet.network(0)
    for index in (OPERATOR, REQUESTER, MODEL_OWNER):
        admin.token.transfer(backend.accounts[index].address, 10_000 * TOKEN)
    owner = devnet.network(MODEL_OWNER)
    model_id = owner.models.register("risk", "1.0", keccak(b"onnx"), "onnx", "blob://m", TOKEN)
    admin.models.verify(model_id)
    operator = devnet.network(OPERATOR)
    certificate = devnet.certificate(ENCLAVE_KEY, operator.address)
    bond = operator.workers.min_bond()
    operator.token.approve(operator.workers.address, bond)
    operator.workers.register(
        certificate,
        devnet.sign_certificate(certificate),
        "http://127.0.0.1:1",
        TOKEN,
        [model_id],
        bond,
    )
    return World(devnet, model_id, certificate.enclave)
