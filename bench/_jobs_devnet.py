"""Helpers for ``bench/jobs.py``: reaching a running devnet, bulk job submission, relayers.

Nothing here measures anything by itself; ``bench/jobs.py`` does the timing. What is here:

* :func:`timed_web3`: a copy of a product web3 connection whose HTTP requests are timed per
  JSON-RPC method, so a relayer built on it shows where its chain time goes;
* :class:`Bench`: one connection to a devnet (the deployment, the development accounts, the
  blob store, the workers' on-chain X25519 keys and endpoints);
* :func:`prepare_jobs`: ``predict`` inputs sealed to each worker and stored, and the raw
  ``Jobs.submit`` transactions for them (gas and fees fixed once, so sending does no RPC but the
  send itself);
* :class:`GatedTransport`: the HTTP transport of an in-process relayer that lets deliveries
  through but holds settlement (``/v1/status``, ``/v1/batches``) until it is opened, and notes
  when each batch request started and ended;
* :func:`spawn_relayer`: a relayer process (``veritee relayer run``) with given settings.
"""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import requests
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3
from web3.types import TxParams, TxReceipt

from veritee.blobs import BlobStore, open_store
from veritee.chain import Deployment, JobRequest, Network, TransactionSender
from veritee.chain.backend import dev_accounts
from veritee.chain.types import ModelId
from veritee.crypto.envelope import X25519KeyPair
from veritee.devnet.processes import Part, spawn, stop, wait_for_announcement
from veritee.devnet.state import ROLES, DevnetState
from veritee.models.datasets import RISK_FEATURES, read_features, synthetic_patients
from veritee.models.tasks import encode_document
from veritee.protocol import seal_input

TOKEN = 10**18
#: Development accounts the benchmark uses beyond the devnet's roles (0-5).
LATENCY_RELAYER, BULK_RELAYER, BULK_REQUESTER, PIPELINE_RELAYER = 6, 7, 8, 9
#: What a bulk job escrows (the price is 2 model + 1 or 2 worker + protocol fee; the rest is
#: refunded at settlement).
BULK_MAX_FEE = 10 * TOKEN


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class TimedSession(requests.Session):
    """A ``requests`` session that adds up the wall time and count of JSON-RPC requests per
    method, as they go over HTTP (requests a web3 provider answers from its cache never reach
    it)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def post(self, url: Any, data: Any = None, json: Any = None, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return super().post(url, data=data, json=json, **kwargs)
        finally:
            elapsed = time.perf_counter() - start
            method = _rpc_method(data if data is not None else json)
            with self._lock:
                self.seconds[method] += elapsed
                self.calls[method] += 1

    def reset(self) -> None:
        with self._lock:
            self.seconds.clear()
            self.calls.clear()

    def snapshot(self) -> dict[str, tuple[int, float]]:
        """Per method: (requests, seconds), most time first."""
        with self._lock:
            rows = {m: (self.calls[m], self.seconds[m]) for m in self.seconds}
        return dict(sorted(rows.items(), key=lambda item: -item[1][1]))


def _rpc_method(body: Any) -> str:
    try:
        document = json.loads(body) if isinstance(body, bytes | str) else body
    except ValueError:
        return "?"
    if isinstance(document, list):
        return f"batch of {len(document)}"
    return str(document.get("method", "?")) if isinstance(document, dict) else "?"


def timed_web3(like: Web3) -> tuple[Web3, TimedSession]:
    """A Web3 on ``like``'s node whose HTTP requests are timed, with ``like``'s provider
    settings (request caching), so it behaves as the product's own connection."""
    provider = like.provider
    assert isinstance(provider, HTTPProvider)
    session = TimedSession()
    timed = HTTPProvider(
        provider.endpoint_uri,
        request_kwargs=dict(provider.get_request_kwargs()),
        session=session,
        cache_allowed_requests=provider.cache_allowed_requests,
        cacheable_requests=provider.cacheable_requests,
    )
    return Web3(timed), session


@dataclass(frozen=True)
class WorkerEnd:
    """One devnet worker: its enclave, its HTTP endpoint, its on-chain X25519 key and price."""

    enclave: str
    url: str
    x25519: bytes
    price: int


@dataclass
class Bench:
    """A connection to a running devnet for the benchmark (close it)."""

    state: DevnetState
    deployment: Deployment
    accounts: list[LocalAccount]
    blobs: BlobStore
    workers: list[WorkerEnd]
    _sessions: list[requests.Session] = field(default_factory=list)

    @classmethod
    def connect(cls, state: DevnetState) -> Bench:
        deployment = Deployment.load(state.deployment_path)
        accounts = dev_accounts(10)
        bench = cls(state, deployment, accounts, open_store(state.blob_url), [])
        reader = bench.network(ROLES["admin"])
        for record in state.workers:
            info = reader.workers.worker(record["enclave"])
            bench.workers.append(
                WorkerEnd(info.enclave, str(record["url"]), info.x25519_key, int(info.price))
            )
        return bench

    def network(self, index: int) -> Network:
        """The deployment's clients sending as development account ``index``, on a fresh
        connection (its own pool, its own nonce tracking)."""
        session = requests.Session()
        self._sessions.append(session)
        w3 = Web3(HTTPProvider(self.state.rpc_url, request_kwargs={"timeout": 60}, session=session))
        return Network(w3, self.deployment, TransactionSender(w3, self.accounts[index]))

    def fund(self, index: int, tokens: int) -> None:
        """Give development account ``index`` ``tokens`` VRT from the admin (ETH it has)."""
        admin = self.network(ROLES["admin"])
        admin.token.transfer(self.accounts[index].address, tokens * TOKEN)

    def close(self) -> None:
        close = getattr(self.blobs, "close", None)
        if close is not None:
            close()
        for session in self._sessions:
            session.close()


def feature_rows(count: int, seed: int = 7) -> list[list[float]]:
    """``count`` rows of the risk model's six features, from the synthetic patients."""
    matrix = read_features(synthetic_patients(max(count, 1), seed=seed), RISK_FEATURES)
    return [[float(v) for v in row] for row in matrix[:count]]


@dataclass(frozen=True)
class PreparedJobs:
    """Raw ``Jobs.submit`` transactions, one per job, and the worker each is for."""

    txs: list[TxParams]
    workers: list[str]


def prepare_jobs(
    bench: Bench, requester: Network, model_id: int, count: int, *, seed: int = 7
) -> PreparedJobs:
    """Seal ``count`` one-row ``predict`` inputs to the workers in turn, store them (8 at a
    time), and build a ``Jobs.submit`` transaction for each, gas and fees fixed from one
    estimate (x1.3) so that sending needs nothing from the node but the send."""
    jobs = requester.jobs
    chain_id = bench.deployment.chain_id
    deadline = int(requester.w3.eth.get_block("latest")["timestamp"]) + 3_600
    rows = feature_rows(count, seed=seed)

    def seal_and_store(i: int) -> JobRequest:
        worker = bench.workers[i % len(bench.workers)]
        document = {"v": 1, "task": "predict", "inputs": {"features": [rows[i]]}}
        envelope = seal_input(
            worker.x25519,
            encode_document(document),
            chain_id=chain_id,
            jobs=jobs.address,
            worker=worker.enclave,
        )
        digest = bench.blobs.put(envelope)
        return JobRequest(
            worker=worker.enclave,
            model_id=ModelId(model_id),
            input_hash=bytes.fromhex(digest),
            input_uri=bench.blobs.uri(digest),
            result_key=X25519KeyPair.generate().public_bytes(),
            max_fee=BULK_MAX_FEE,
            deadline=deadline,
        )

    with ThreadPoolExecutor(8) as pool:
        requests_ = list(pool.map(seal_and_store, range(count)))
    template = jobs.build("submit", requests_[0].as_tuple())  # estimates gas, fills fees
    fixed = {
        "gas": math.ceil(int(template["gas"]) * 1.3),
        "maxFeePerGas": template["maxFeePerGas"],
        "maxPriorityFeePerGas": template["maxPriorityFeePerGas"],
    }
    txs: list[TxParams] = []
    for request in requests_:
        data = jobs.contract.encode_abi("submit", args=[request.as_tuple()])
        txs.append({"to": jobs.address, "data": data, **fixed})  # type: ignore[typeddict-item]
    return PreparedJobs(txs, [r.worker for r in requests_])


def job_ids(requester: Network, receipts: Sequence[TxReceipt]) -> list[int]:
    return [int(requester.jobs.events_in(r, "JobSubmitted")[0].args["job_id"]) for r in receipts]


def transfer_txs(network: Network, to: str, count: int) -> list[TxParams]:
    """``count`` raw 1-wei ERC-20 transfers, gas and fees fixed from one estimate (x1.3)."""
    token = network.token
    template = token.build("transfer", to, 1)
    fixed = {
        "gas": math.ceil(int(template["gas"]) * 1.3),
        "maxFeePerGas": template["maxFeePerGas"],
        "maxPriorityFeePerGas": template["maxPriorityFeePerGas"],
    }
    data = token.contract.encode_abi("transfer", args=[to, 1])
    return [{"to": token.address, "data": data, **fixed} for _ in range(count)]  # type: ignore[misc]


def wait_quiet(bench: Bench, timeout: float = 60.0) -> float:
    """Wait until no worker holds a queued, running, ready or leased job (a worker marks leased
    results settled in its periodic sweep, ``settle_poll`` = 10 s), so that one pass's
    aftermath does not load the next; returns the seconds waited."""
    busy = ("queued", "running", "ready", "leased")
    start = time.perf_counter()
    with httpx.Client(timeout=10) as http:

        def quiet() -> bool:
            for worker in bench.workers:
                counts = http.get(f"{worker.url}/v1/status").json()["jobs"]
                if any(counts[state] for state in busy):
                    return False
            return True

        wait_until(quiet, timeout=timeout, interval=0.25, what="workers quiet")
    return time.perf_counter() - start


class FinishedJobs:
    """Which of ``ids`` the chain has settled or failed, read incrementally: each :meth:`count`
    asks only for the ``JobSettled``/``JobFailed`` events of blocks not read yet."""

    def __init__(self, network: Network, ids: Sequence[int], from_block: int) -> None:
        self.network = network
        self.wanted = set(ids)
        self.done: set[int] = set()
        self.next_block = from_block

    def count(self) -> int:
        head = int(self.network.w3.eth.block_number)
        if head >= self.next_block:
            for name in ("JobSettled", "JobFailed"):
                for event in self.network.jobs.events(name, self.next_block, head):
                    if event.args["job_id"] in self.wanted:
                        self.done.add(event.args["job_id"])
            self.next_block = head + 1
        return len(self.done)


class GatedTransport(httpx.AsyncBaseTransport):
    """A relayer's HTTP transport that holds settlement back until :meth:`open`.

    Deliveries (``POST /v1/jobs``) pass through. While closed, ``GET /v1/status`` answers 503
    and ``POST /v1/batches`` 204 ("nothing ready") without reaching the worker, so the relayer
    delivers but settles nothing. Once open, everything passes through and each batch request
    is noted as (start, end, HTTP status, worker host:port), perf_counter seconds.
    """

    def __init__(self, max_connections: int) -> None:
        limits = httpx.Limits(max_connections=max_connections)
        self._inner = httpx.AsyncHTTPTransport(limits=limits)
        self.is_open = False
        self.batch_requests: list[tuple[float, float, int, str]] = []

    def open(self) -> None:
        self.is_open = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        settling = path in ("/v1/status", "/v1/batches")
        if settling and not self.is_open:
            if path == "/v1/status":
                return httpx.Response(503, json={"error": "held by the benchmark"})
            return httpx.Response(204)
        start = time.perf_counter()
        response = await self._inner.handle_async_request(request)
        if path == "/v1/batches":
            await response.aread()
            where = f"{request.url.host}:{request.url.port}"
            self.batch_requests.append((start, time.perf_counter(), response.status_code, where))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def spawn_relayer(
    directory: Path, name: str, bench: Bench, account: int, settings: dict[str, Any]
) -> Part:
    """A relayer process (``python -m veritee relayer run``) as development account
    ``account`` with ``settings``; stop it with :func:`stop_part`."""
    home = directory / name
    home.mkdir(parents=True, exist_ok=True)
    config = home / "relayer.json"
    document = {
        "rpc_url": bench.state.rpc_url,
        "deployment": str(bench.state.deployment_path),
        "private_key": bench.accounts[account].key.hex(),
        "db_path": str(home / "relayer.sqlite"),
        "confirmations": 0,
        **settings,
    }
    config.write_text(json.dumps(document, indent=2))
    argv = [sys.executable, "-m", "veritee", "relayer", "run", "--config", str(config), "--json"]
    logs = directory / "logs"
    process = spawn(argv, logs, name)
    try:
        wait_for_announcement(process, logs, name)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return Part(name, "relayer", process.pid, "", str(logs), str(config))


def stop_part(part: Part) -> None:
    """Stop one process the devnet or the benchmark started, by its PID (checked first)."""
    stop(part)


def wait_until(
    condition: Callable[[], bool], *, timeout: float, interval: float, what: str
) -> float:
    """Poll ``condition`` every ``interval`` s; returns the perf_counter time it held."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return time.perf_counter()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)
