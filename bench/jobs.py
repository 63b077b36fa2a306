"""Confidential jobs on the devnet: settlement throughput, one job's latency, crypto overhead.

Runs ``veritee.devnet.launcher.devnet_up`` (anvil, a blob server, 3 gatekeepers with t = 2, 2
worker processes with a simulated TEE serving the bundled risk model; every part its own
process, talking HTTP as in production) in a temporary directory, stops the devnet's own relayer
(by its PID) so that the benchmark decides which relayer runs when, and measures:

Order: the latency runs (on the idle network), the pipelined pass, a wait until no worker holds
an unsettled result (workers mark settled results in a sweep every 10 s, whose chain reads would
otherwise load the next pass), the baseline, the phased pass, then the in-process figures.

1. ``jobs_per_s``, settlement throughput with batching. N one-row ``predict`` jobs (``--jobs``,
   default 600) are prepared without the SDK: inputs sealed to each worker's on-chain X25519 key
   (alternating between the two workers) and stored in the blob server, one ``approve`` of the
   total escrow, then raw ``Jobs.submit`` transactions (gas and fees fixed from one estimate)
   through ``TransactionSender.send_many``. An in-process ``Relayer`` (its own account and
   database, ``batch_size`` 100, its connection made as ``veritee relayer run`` makes it, with
   HTTP timing added, driven round by round) delivers every job to its worker for real, but its
   HTTP transport holds settlement back (``/v1/status`` and ``/v1/batches`` never reach the
   workers) until both workers report every result ready. Then settlement is let through, and
   ``jobs_per_s`` = N / (end of the relayer round in which the last job's ``JobSettled``
   receipt was seen - start of its first ``POST /v1/batches``): the relayer draining ready
   results in batches of 100, i.e. each worker reading its results' on-chain status, signing
   and leasing batches, the relayer checking them, estimating, sending ``Jobs.settle`` and
   waiting for the receipts. It is not an end-to-end rate. What the drain spent is printed:
   each batch request, and the relayer's HTTP time per JSON-RPC method; and, for scale, what
   100 ``Jobs.job_status`` reads (what a worker's batch does per result) cost over a worker's
   own kind of connection, and which HTTP requests they make.
   ``end_to_end_jobs_per_s`` is measured separately, pipelined, as a user sees it: N more jobs
   submitted the same way while a relayer process with the devnet's own settings (poll 0.2 s,
   batch 100, batch_wait 0.5 s) runs, from the start of preparing the first input to the moment
   the last ``JobSettled`` event is seen (polled every 0.1 s). The phased run's stage times
   (prepare, submit, deliver, run, drain) are printed as well.
   ``baseline_transfers_per_s``: N plain ERC-20 transfers sent the same way (same
   ``TransactionSender``, gas and fees fixed, receipts awaited), right before the phased pass;
   ``jobs_over_transfers`` is ``jobs_per_s`` over it (a settlement carries 100 jobs), and
   ``submit_tx_per_s`` the phased pass's ``Jobs.submit`` rate.
2. One job's latency on an idle network (medians of ``--latency-runs``, default 5, after one
   warm-up job): an ``aggregate`` job over a capsule (``--capsule-rows`` synthetic patients
   sealed with ``veritee.capsule.seal_bytes`` and registered for the model), so that key
   release is real (t = 2 of 3 gatekeepers, DLEQ-proven shares). Relayed by a relayer process
   tuned for latency (poll 0.05 s, ``batch_wait`` 0: a lone ready result is settled at once).
   ``submit_ms``: the SDK's ``submit`` (worker eligibility, quote, seal, blob put, permit, the
   transaction) until it returns with the receipt. ``delivery_ms``: from then until the worker's
   ``GET /v1/jobs/{id}`` first answers 200 (polled every 5 ms; the worker has no accepted-at
   timestamp), i.e. the relayer following the chain, delivering, the worker checking the job
   on-chain and sealing it into its state. ``key_release_ms`` and ``inference_ms``: the worker's
   own ``timings_ms``. ``settlement_ms``: from the moment ``GET /v1/jobs/{id}`` first shows
   the result ready (polled every 5 ms) until the chain reports the job settled (the block
   number polled every 5 ms, the job's status read on each new block). With the devnet's
   relayer settings instead (poll 0.2 s, ``batch_wait`` 0.5 s) delivery waits up to 0.2 s more
   and settlement about 0.5 s more, by design.
3. ``crypto_overhead_ms_per_job``, in this process: the median (``--crypto-reps``, default
   2,000) of opening a one-row ``predict`` input envelope, SHA-256 of the input envelope,
   sealing the result document and SHA-256 of the result envelope, plus the median EIP-712
   ``ResultBatch`` digest and signature of a 100-result batch divided by 100. Target <= 2 ms.
4. ``confidential_over_raw``: the confidential compute path over raw onnxruntime, same model,
   same ``--rows`` (default 2,000) rows, in this process, medians of ``--compute-reps``. Raw:
   ``onnxruntime.InferenceSession(build_risk_model()).run`` with the session options the worker
   uses (1 intra-op thread, sequential); the same with onnxruntime's default options is shown
   too (``raw_default_session_ms``). Confidential: ``open_input`` + ``parse_request`` +
   ``ModelCache.get_or_load`` (a hit) + ``run_task`` (the model through veritee's
   ``OnnxRuntime``, with its checks) + ``encode_document`` + ``seal_result``, for the input a
   client sending a tensor this size would use: the features as a base64 tensor object
   (``encode_tensor``) and ``"output_encoding": "base64"``, so the outputs come back as base64
   tensor objects too. ``confidential_over_raw_json`` is the same path with the features as
   nested JSON lists and the outputs as JSON lists (the ``json_*`` figures); both paths'
   outputs are checked equal to onnxruntime's.

Targets: >= 500 jobs/s settled; crypto overhead <= 2 ms per job. The machine's other load
shares its cores with every part of the devnet, so run it more than once.

The last line is one JSON object: ``jobs_per_s``, ``crypto_overhead_ms_per_job``,
``confidential_over_raw`` (base64 tensors), ``submit_ms``, ``delivery_ms``, ``key_release_ms``,
``inference_ms``, ``settlement_ms``, and extras (``confidential_over_raw_json``,
``end_to_end_jobs_per_s``, ``baseline_transfers_per_s``, ``jobs``, ...).

    .venv/bin/python bench/jobs.py [--jobs 600] [--latency-runs 5] [--quick]

Needs anvil (``veritee devnet install-anvil``, or ``VERITEE_ANVIL``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from _jobs_devnet import (  # beside this script, on sys.path when it runs
    BULK_MAX_FEE,
    BULK_RELAYER,
    BULK_REQUESTER,
    LATENCY_RELAYER,
    PIPELINE_RELAYER,
    TOKEN,
    Bench,
    FinishedJobs,
    GatedTransport,
    feature_rows,
    job_ids,
    log,
    prepare_jobs,
    spawn_relayer,
    stop_part,
    timed_web3,
    transfer_txs,
    wait_quiet,
    wait_until,
)
from veritee.capsule import register_capsule, seal_bytes
from veritee.chain import Network
from veritee.chain.types import JobId, JobStatus
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.typed_data import (
    Domain,
    JobResult,
    address_of,
    batch_digest,
    sign_digest,
)
from veritee.devnet.launcher import devnet_down, devnet_up
from veritee.devnet.processes import Part
from veritee.devnet.state import ROLES
from veritee.models import ModelCache
from veritee.models.builders import build_risk_model
from veritee.models.datasets import synthetic_patients
from veritee.models.tasks import (
    decode_result,
    decode_tensor,
    encode_document,
    encode_tensor,
    parse_request,
    run_task,
)
from veritee.protocol import open_input, seal_input, seal_result
from veritee.relayer import Relayer, RelayerConfig
from veritee.sdk import SyncClient
from veritee.worker import WorkerConfig

JOBS_TARGET = 500.0
CRYPTO_TARGET_MS = 2.0
BATCH = 100
#: The devnet's relayer settings (veritee.devnet.launcher), for the pipelined pass.
DEVNET_RELAYER = {"poll_interval": 0.2, "batch_size": 100, "batch_wait": 0.5}
#: A relayer tuned for one job's latency: poll often, settle a lone ready result at once.
LATENCY_RELAYER_SETTINGS = {"poll_interval": 0.05, "batch_size": 100, "batch_wait": 0.0}


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def median_time(reps: int, work: Callable[[], object]) -> float:
    """The median wall time of ``reps`` calls of ``work``, in seconds."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- 2. one job's latency ------------------------------------------------------------------------


@dataclass
class Latency:
    runs: list[dict[str, float]] = field(default_factory=list)

    def median(self, key: str) -> float:
        return round(statistics.median(run[key] for run in self.runs), 2)


def register_bench_capsule(bench: Bench, model_id: int, rows: int) -> int:
    hospital = bench.network(ROLES["hospital"])
    sealed_bytes, sealed = seal_bytes(
        synthetic_patients(rows, seed=2026),
        network_key=hospital.gatekeepers.network_key(),
        chain_id=bench.deployment.chain_id,
        capsules=hospital.capsules.address,
        content_type="text/csv",
    )
    digest = bench.blobs.put(sealed_bytes)
    capsule_id = register_capsule(
        hospital.capsules, sealed, bench.blobs.uri(digest), allowed_models=[model_id], price=TOKEN
    )
    return int(capsule_id)


def one_job(
    sdk: SyncClient, http: httpx.Client, worker_url: str, enclave: str, model_id: int, capsule: int
) -> dict[str, float]:
    """Submit one aggregate job and time its stages (see the module docstring)."""
    network = sdk.client.network
    document = {"v": 1, "task": "aggregate", "threshold": 0.3, "bins": 10}
    start = time.perf_counter()
    job = sdk.submit(model_id, document, capsule_ids=[capsule], worker=enclave)
    submitted = time.perf_counter()
    url = f"{worker_url}/v1/jobs/{job.job_id}"
    delivered = wait_until(
        lambda: http.get(url).status_code == 200, timeout=60, interval=0.005, what="delivery"
    )
    body: dict[str, Any] = {}

    def finished() -> bool:
        body.update(http.get(url).json())
        return body["state"] in ("done", "failed", "settled")

    ready = wait_until(finished, timeout=60, interval=0.005, what="job result")
    seen = [-1]  # the first poll reads the status: it may have settled already

    def settled() -> bool:
        block = network.w3.eth.block_number
        if block == seen[0]:
            return False
        seen[0] = block
        return network.jobs.status(JobId(job.job_id)) is not JobStatus.PENDING

    final = wait_until(settled, timeout=60, interval=0.005, what="settlement")
    if body.get("status") != 0 or network.jobs.status(JobId(job.job_id)) is not JobStatus.SETTLED:
        raise RuntimeError(f"latency job {job.job_id} did not succeed: {body}")
    result = sdk.result(job)
    rows = result["outputs"]["overall"]["rows"]
    timings = body["timings_ms"]
    return {
        "submit_ms": ms(submitted - start),
        "delivery_ms": ms(delivered - submitted),
        "run_ms": ms(ready - delivered),
        "settlement_ms": ms(final - ready),
        "total_ms": ms(final - start),
        "rows": rows,
        **{f"worker_{phase}_ms": float(value) for phase, value in timings.items()},
    }


def measure_latency(
    bench: Bench, directory: Path, runs: int, capsule_rows: int, parts: list[Part]
) -> Latency:
    model_id = bench.state.model_id
    capsule = register_bench_capsule(bench, model_id, capsule_rows)
    worker = bench.workers[0]
    relayer = spawn_relayer(
        directory, "latency-relayer", bench, LATENCY_RELAYER, LATENCY_RELAYER_SETTINGS
    )
    parts.append(relayer)
    researcher = ROLES["researcher"]
    network = bench.network(researcher)
    latency = Latency()
    try:
        with (
            SyncClient(network, bytes(bench.accounts[researcher].key), bench.blobs) as sdk,
            httpx.Client(timeout=10) as http,
        ):
            for run in range(runs + 1):
                figures = one_job(sdk, http, worker.url, worker.enclave, model_id, capsule)
                label = "warm-up" if run == 0 else f"run {run}/{runs}"
                log(f"latency {label}: {figures}")
                if run:
                    latency.runs.append(figures)
                time.sleep(0.3)
    finally:
        stop_part(relayer)
        parts.remove(relayer)
    return latency


# -- 1. throughput ------------------------------------------------------------------------------


@dataclass
class Pipelined:
    jobs: int
    seconds: float
    submit_seconds: float


def measure_pipelined(bench: Bench, directory: Path, count: int, parts: list[Part]) -> Pipelined:
    """N jobs submitted while a relayer process with the devnet's settings runs."""
    requester = bench.network(BULK_REQUESTER)
    requester.token.approve(requester.jobs.address, count * BULK_MAX_FEE)
    first_block = int(requester.w3.eth.block_number)
    relayer = spawn_relayer(
        directory,
        "pipeline-relayer",
        bench,
        PIPELINE_RELAYER,
        {**DEVNET_RELAYER, "start_block": first_block},
    )
    parts.append(relayer)
    try:
        start = time.perf_counter()
        prepared = prepare_jobs(bench, requester, bench.state.model_id, count, seed=17)
        assert requester.sender is not None
        ids = job_ids(requester, requester.sender.send_many(prepared.txs))
        submitted = time.perf_counter()
        log(f"pipelined: {count} jobs submitted in {submitted - start:.2f} s; waiting")
        finished = FinishedJobs(requester, ids, first_block)
        end = wait_until(
            lambda: finished.count() == count,
            timeout=600,
            interval=0.1,
            what="pipelined settlement",
        )
    finally:
        stop_part(relayer)
        parts.remove(relayer)
    return Pipelined(count, end - start, submitted - start)


@dataclass
class Drain:
    jobs: int
    stages: dict[str, float]
    seconds: float
    batches: list[tuple[float, float, int, str]]
    rpc: dict[str, tuple[int, float]]
    ticks: list[tuple[float, int, int]]
    submit_tx_per_s: float
    start_to_settled: float


def measure_drain(bench: Bench, directory: Path, count: int) -> Drain:
    """Phased: submit, deliver and run everything, then let the relayer settle it all."""
    requester = bench.network(BULK_REQUESTER)
    requester.token.approve(requester.jobs.address, count * BULK_MAX_FEE)
    first_block = int(requester.w3.eth.block_number)
    stages: dict[str, float] = {}
    start = time.perf_counter()
    prepared = prepare_jobs(bench, requester, bench.state.model_id, count, seed=29)
    prepared_at = time.perf_counter()
    stages["prepare"] = prepared_at - start
    assert requester.sender is not None
    ids = job_ids(requester, requester.sender.send_many(prepared.txs))
    submitted = time.perf_counter()
    stages["submit"] = submitted - prepared_at
    log(f"drain: {count} jobs submitted in {stages['submit']:.2f} s")

    settings: dict[str, Any] = {
        "deployment": bench.deployment,
        "private_key": bytes(bench.accounts[BULK_RELAYER].key),
        "db_path": directory / "drain-relayer" / "relayer.sqlite",
        "confirmations": 0,
        "start_block": first_block,
        "poll_interval": 0.05,
        "batch_size": BATCH,
        "batch_wait": 0.5,
        "expire_overdue": False,
    }
    (directory / "drain-relayer").mkdir(parents=True, exist_ok=True)
    # The relayer's own connection (as `veritee relayer run` makes it), with its HTTP timed.
    product = RelayerConfig(rpc_url=bench.state.rpc_url, **settings).connect()
    w3, rpc = timed_web3(product)
    config = RelayerConfig(w3=w3, **settings)
    gate = GatedTransport(config.max_concurrency)
    with Relayer(config, transport=gate) as relayer:
        delivered = 0
        while delivered < count:
            report = relayer.tick()
            delivered += report.delivered
            if report.refused or report.abandoned:
                raise RuntimeError(f"deliveries refused: {report}")
        delivered_at = time.perf_counter()
        stages["deliver"] = delivered_at - submitted
        expected = {w.url: prepared.workers.count(w.enclave) for w in bench.workers}
        with httpx.Client(timeout=10) as http:

            def all_ready() -> bool:
                return all(
                    http.get(f"{url}/v1/status").json()["jobs"]["ready"] >= n
                    for url, n in expected.items()
                )

            ready_at = wait_until(all_ready, timeout=600, interval=0.05, what="results ready")
        stages["run"] = ready_at - delivered_at
        log(f"drain: delivered in {stages['deliver']:.2f} s, all ready {stages['run']:.2f} s later")
        rpc.reset()
        gate.open()
        settled, ticks = 0, []
        while settled < count:
            tick_start = time.perf_counter()
            report = relayer.tick()
            if report.rejected or report.reverted:
                raise RuntimeError(f"settlement failed: {report}")
            settled += report.settled_jobs
            ticks.append((time.perf_counter() - tick_start, report.submitted, report.settled_jobs))
            if len(ticks) > 200:
                raise RuntimeError(f"only {settled} of {count} jobs settled after 200 rounds")
        end = time.perf_counter()
    if FinishedJobs(requester, ids, first_block).count() != count:
        raise RuntimeError("the chain does not show every job settled")
    first_batch = gate.batch_requests[0][0]
    stages["drain"] = end - first_batch
    batches = [(s - first_batch, e - first_batch, c, u) for s, e, c, u in gate.batch_requests]
    return Drain(
        count,
        stages,
        end - first_batch,
        batches,
        rpc.snapshot(),
        ticks,
        count / stages["submit"],
        end - start,
    )


def measure_transfers(bench: Bench, count: int) -> float:
    """Plain ERC-20 transfers with receipts through the same TransactionSender; per second."""
    sender_net = bench.network(BULK_REQUESTER)
    txs = transfer_txs(sender_net, bench.accounts[ROLES["admin"]].address, count)
    assert sender_net.sender is not None
    start = time.perf_counter()
    sender_net.sender.send_many(txs)
    return count / (time.perf_counter() - start)


def status_read_cost(
    bench: Bench, directory: Path, ids: int = 100
) -> tuple[float, dict[str, tuple[int, float]]]:
    """What a worker's batch pays to check ``ids`` results, one ``Jobs.job_status`` read each
    as ``Settlement.batch`` does, over worker 1's own kind of connection (its configuration's
    ``connect()``), from this process; (seconds, HTTP requests per JSON-RPC method)."""
    product = WorkerConfig.from_file(directory / "worker-1" / "worker.json").connect()
    w3, rpc = timed_web3(product)
    jobs = Network(w3, bench.deployment).jobs
    start = time.perf_counter()
    for job_id in range(1, ids + 1):
        jobs.status(JobId(job_id))
    return time.perf_counter() - start, rpc.snapshot()


# -- 3 and 4. in-process ------------------------------------------------------------------------


def measure_crypto(domain: Domain, reps: int) -> dict[str, float]:
    chain_id, jobs = domain.chain_id, domain.verifying_contract
    worker_keys, requester_keys = X25519KeyPair.generate(), X25519KeyPair.generate()
    enclave_key = hashlib.sha256(b"bench jobs enclave").digest()
    worker = address_of(enclave_key)
    row = feature_rows(1)[0]
    document = encode_document({"v": 1, "task": "predict", "inputs": {"features": [row]}})
    envelope = seal_input(
        worker_keys.public_bytes(), document, chain_id=chain_id, jobs=jobs, worker=worker
    )
    result = encode_document(
        {"v": 1, "job_id": 123456, "task": "predict", "outputs": {"risk": [[0.0337904691696167]]}}
    )
    result_key = requester_keys.public_bytes()

    def open_it() -> None:
        open_input(worker_keys, envelope, chain_id=chain_id, jobs=jobs, worker=worker)

    def hash_both() -> None:
        hashlib.sha256(envelope).digest()
        hashlib.sha256(result).digest()

    def seal_it() -> None:
        seal_result(result_key, result, chain_id=chain_id, jobs=jobs, job_id=123456)

    def per_job() -> None:
        open_input(worker_keys, envelope, chain_id=chain_id, jobs=jobs, worker=worker)
        hashlib.sha256(envelope).digest()
        sealed = seal_result(result_key, result, chain_id=chain_id, jobs=jobs, job_id=123456)
        hashlib.sha256(sealed).digest()

    results = [
        JobResult(job_id, hashlib.sha256(b"%d" % job_id).digest(), f"http://b/blobs/{job_id:064x}")
        for job_id in range(1, BATCH + 1)
    ]

    def sign_batch() -> None:
        sign_digest(enclave_key, batch_digest(domain, worker, results))

    batch_reps = max(reps // 10, 20)
    figures = {
        "open_input_ms": median_time(reps, open_it) * 1000,
        "sha256_ms": median_time(reps, hash_both) * 1000,
        "seal_result_ms": median_time(reps, seal_it) * 1000,
        "per_job_ms": median_time(reps, per_job) * 1000,
        "batch_sign_ms": median_time(batch_reps, sign_batch) * 1000,
    }
    figures["total_ms"] = figures["per_job_ms"] + figures["batch_sign_ms"] / BATCH
    return {k: round(v, 4) for k, v in figures.items()}


def measure_compute(domain: Domain, rows: int, reps: int) -> dict[str, float]:
    import onnxruntime as ort

    chain_id, jobs = domain.chain_id, domain.verifying_contract
    artifact = build_risk_model()
    sha = hashlib.sha256(artifact).digest()
    values = [[round(v, 2) for v in row] for row in feature_rows(rows, seed=11)]
    matrix = np.array(values, dtype=np.float32)

    options = ort.SessionOptions()  # what veritee's OnnxRuntime(threads=1) sets
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    raw = ort.InferenceSession(artifact, sess_options=options, providers=["CPUExecutionProvider"])
    default = ort.InferenceSession(artifact, providers=["CPUExecutionProvider"])
    for session in (raw, default):
        session.run(None, {"features": matrix})

    worker_keys, requester_keys = X25519KeyPair.generate(), X25519KeyPair.generate()
    worker = address_of(hashlib.sha256(b"bench jobs enclave").digest())
    documents = {
        # What a client sending a tensor of this size would use: base64 in and out.
        "base64": encode_document(
            {
                "v": 1,
                "task": "predict",
                "inputs": {"features": encode_tensor(matrix)},
                "output_encoding": "base64",
            }
        ),
        "json": encode_document({"v": 1, "task": "predict", "inputs": {"features": values}}),
    }
    result_key = requester_keys.public_bytes()
    cache = ModelCache(8)
    cache.get_or_load(sha, "onnx", lambda: artifact)

    def path(document: bytes) -> tuple[Callable[[], bytes], dict[str, list[float]]]:
        envelope = seal_input(
            worker_keys.public_bytes(), document, chain_id=chain_id, jobs=jobs, worker=worker
        )
        parts: dict[str, list[float]] = {
            k: [] for k in ("open", "parse", "model", "run_task", "encode", "seal")
        }

        def confidential() -> bytes:
            marks = [time.perf_counter()]
            plaintext = open_input(
                worker_keys, envelope, chain_id=chain_id, jobs=jobs, worker=worker
            )
            marks.append(time.perf_counter())
            request = parse_request(plaintext)
            marks.append(time.perf_counter())
            model = cache.get_or_load(sha, "onnx", lambda: artifact)
            marks.append(time.perf_counter())
            outcome = run_task(request, model, [], job_id=1)
            marks.append(time.perf_counter())
            result = encode_document(outcome)
            marks.append(time.perf_counter())
            seal_result(result_key, result, chain_id=chain_id, jobs=jobs, job_id=1)
            marks.append(time.perf_counter())
            for name, a, b in zip(parts, marks, marks[1:], strict=False):
                parts[name].append(b - a)
            return result

        return confidential, parts

    paths = {encoding: path(document) for encoding, document in documents.items()}
    # Both paths give the model's own numbers.
    expected = raw.run(None, {"features": matrix})[0]
    for encoding, (confidential, parts) in paths.items():
        risk = decode_result(confidential())["outputs"]["risk"]  # also the warm-up
        if not np.array_equal(decode_tensor(risk).astype(np.float32), expected):
            raise RuntimeError(f"the {encoding} path's outputs differ from onnxruntime's")
        for values_ in parts.values():
            values_.clear()
    raw_s = median_time(reps, lambda: raw.run(None, {"features": matrix}))
    default_s = median_time(reps, lambda: default.run(None, {"features": matrix}))
    figures = {"raw_ms": raw_s * 1000, "raw_default_session_ms": default_s * 1000}
    for encoding, (confidential, parts) in paths.items():
        confidential_s = median_time(reps, confidential)
        prefix = "" if encoding == "base64" else "json_"
        figures |= {
            f"{prefix}confidential_ms": confidential_s * 1000,
            **{f"{prefix}{name}_ms": statistics.median(v) * 1000 for name, v in parts.items()},
            f"{prefix}ratio": confidential_s / raw_s,
            f"{prefix}ratio_default_session": confidential_s / default_s,
            f"{prefix}input_bytes": float(len(documents[encoding])),
        }
    return {k: round(v, 4) for k, v in figures.items()}


# -- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=600, help="jobs per throughput pass")
    parser.add_argument("--latency-runs", type=int, default=5)
    parser.add_argument("--capsule-rows", type=int, default=1_000)
    parser.add_argument("--crypto-reps", type=int, default=2_000)
    parser.add_argument("--rows", type=int, default=2_000, help="rows for confidential_over_raw")
    parser.add_argument("--compute-reps", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.latency_runs, args.capsule_rows = 60, 2, 200
        args.crypto_reps, args.compute_reps = 200, 10

    parts: list[Part] = []
    with tempfile.TemporaryDirectory(prefix="veritee-bench-jobs-") as tmp:
        directory = Path(tmp) / "devnet"
        started = time.perf_counter()
        state = devnet_up(
            directory,
            workers=2,
            progress=lambda s: log(f"devnet: {s} ({time.perf_counter() - started:.1f} s)"),
        )
        try:
            for part in state.parts:
                if part.kind == "relayer":
                    stop_part(part)  # the benchmark runs its own relayers
            bench = Bench.connect(state)
            try:
                bench.fund(BULK_REQUESTER, 100_000)
                domain = bench.network(ROLES["admin"]).jobs.domain()
                log(f"latency: {args.latency_runs} aggregate jobs over {args.capsule_rows} rows")
                latency = measure_latency(
                    bench, directory, args.latency_runs, args.capsule_rows, parts
                )
                log(f"pipelined pass: {args.jobs} jobs")
                pipelined = measure_pipelined(bench, directory, args.jobs, parts)
                log(f"pipelined pass done; workers quiet after {wait_quiet(bench):.1f} s")
                log(f"baseline: {args.jobs} ERC-20 transfers")
                transfers_per_s = measure_transfers(bench, args.jobs)
                log(f"phased pass: {args.jobs} jobs")
                drain = measure_drain(bench, directory, args.jobs)
                status_s, status_rpc = status_read_cost(bench, directory)
            finally:
                bench.close()
        finally:
            for part in parts:
                stop_part(part)
            devnet_down(directory)
    log("in-process: crypto overhead and compute path")
    crypto = measure_crypto(domain, args.crypto_reps)
    compute = measure_compute(domain, args.rows, args.compute_reps)

    report(args, latency, pipelined, drain, transfers_per_s, status_s, status_rpc, crypto, compute)
    return 0


def report(
    args: argparse.Namespace,
    latency: Latency,
    pipelined: Pipelined,
    drain: Drain,
    transfers_per_s: float,
    status_s: float,
    status_rpc: dict[str, tuple[int, float]],
    crypto: dict[str, float],
    compute: dict[str, float],
) -> None:
    jobs_per_s = drain.jobs / drain.seconds
    end_to_end = pipelined.jobs / pipelined.seconds
    print(f"== settlement throughput ({drain.jobs} one-row predict jobs, 2 workers, batch 100)")
    stages = "  ".join(f"{name} {seconds:.2f} s" for name, seconds in drain.stages.items())
    print(f"phased stages: {stages}")
    print(
        f"jobs settled per second (drain):    {jobs_per_s:8.1f}  "
        f"({drain.jobs} jobs in {drain.seconds:.2f} s; target {JOBS_TARGET:.0f})"
    )
    print(
        f"end-to-end, pipelined (devnet relayer settings): {end_to_end:.1f} jobs/s "
        f"({pipelined.jobs} jobs in {pipelined.seconds:.2f} s, "
        f"submission {pipelined.submit_seconds:.2f} s)"
    )
    print(f"phased run start to last settled:   {drain.jobs / drain.start_to_settled:8.1f} jobs/s")
    print(f"baseline ERC-20 transfers:          {transfers_per_s:8.1f} tx/s (receipts awaited)")
    print(f"Jobs.submit transactions:           {drain.submit_tx_per_s:8.1f} tx/s (same sender)")
    print(f"settled jobs/s over transfers/s:    {jobs_per_s / transfers_per_s:8.2f}")
    print("drain: worker batch requests (start .. end, from the first, seconds):")
    for start, end, code, url in drain.batches:
        print(f"  {url:<24} {start:6.3f} .. {end:6.3f}  {ms(end - start):8.1f} ms  HTTP {code}")
    collect_end = max(end for _, end, _, _ in drain.batches)
    print(
        f"  batches collected by {collect_end:.3f} s; estimate, send and receipts of "
        f"{sum(t[1] for t in drain.ticks)} settlements until {drain.seconds:.3f} s "
        f"({len(drain.ticks)} relayer round(s))"
    )
    print("drain: relayer JSON-RPC time by method:")
    for method, (calls, seconds) in drain.rpc.items():
        print(f"  {method:<28} {calls:5d} calls  {ms(seconds):8.1f} ms")
    print(
        f"a worker's per-batch status check, {100} Jobs.job_status reads through web3: "
        f"{ms(status_s):.1f} ms; RPCs: "
        + ", ".join(f"{m} x{c}" for m, (c, _) in status_rpc.items())
    )

    print(f"== one job's latency (aggregate over a capsule; medians of {len(latency.runs)})")
    keys = ["submit_ms", "delivery_ms", "run_ms", "settlement_ms", "total_ms"]
    worker_keys = sorted(k for k in latency.runs[0] if k.startswith("worker_"))
    for key in keys + worker_keys:
        print(f"  {key:<28} {latency.median(key):9.2f}")

    print(f"== crypto per job (medians of {args.crypto_reps})")
    for key, value in crypto.items():
        print(f"  {key:<20} {value:8.4f}")
    print(
        f"crypto overhead per job: {crypto['total_ms']:.3f} ms "
        f"({crypto['total_ms'] / CRYPTO_TARGET_MS:.2f} of the {CRYPTO_TARGET_MS:.0f} ms target)"
    )
    print(
        f"== confidential path vs raw onnxruntime ({args.rows} rows, medians of "
        f"{args.compute_reps}; base64 tensors in and out, json_*: nested JSON lists)"
    )
    for key, value in compute.items():
        print(f"  {key:<28} {value:11.4f}")
    met = jobs_per_s >= JOBS_TARGET and crypto["total_ms"] <= CRYPTO_TARGET_MS
    print("targets met" if met else "TARGETS MISSED")
    figures = {
        "jobs_per_s": round(jobs_per_s, 1),
        "crypto_overhead_ms_per_job": round(crypto["total_ms"], 3),
        "confidential_over_raw": round(compute["ratio"], 2),
        "submit_ms": latency.median("submit_ms"),
        "delivery_ms": latency.median("delivery_ms"),
        "key_release_ms": latency.median("worker_key_release_ms"),
        "inference_ms": latency.median("worker_inference_ms"),
        "settlement_ms": latency.median("settlement_ms"),
        "end_to_end_jobs_per_s": round(end_to_end, 1),
        "baseline_transfers_per_s": round(transfers_per_s, 1),
        "jobs_over_transfers": round(jobs_per_s / transfers_per_s, 3),
        "submit_tx_per_s": round(drain.submit_tx_per_s, 1),
        "jobs": drain.jobs,
        "drain_seconds": round(drain.seconds, 3),
        "confidential_over_raw_default_session": round(compute["ratio_default_session"], 2),
        "confidential_over_raw_json": round(compute["json_ratio"], 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    sys.exit(main())
