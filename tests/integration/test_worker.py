"""A worker on the embedded chain with three gatekeepers (t = 2) and a local blob store.

Everything goes through the real paths: the worker boots (quote, certificate from the
gatekeepers, sealing key, registration with its bond) and serves HTTP on 127.0.0.1; the test
plays the requester (sealed input, submitted job), the relayer (deliveries built from the
``JobSubmitted`` event, batches fetched and settled on-chain) and the data owner (a capsule of
synthetic patients sealed to the network key). The last test restarts the worker on the same
data directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from veritee.attestation.simulated import SimulatedPlatform, SimulatedProvider
from veritee.blobs import LocalBlobStore
from veritee.capsule import register_capsule, seal_bytes
from veritee.chain import EmbeddedChain, JobRequest
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.chain.types import CapsuleId, JobId, JobStatus, ModelId, TeeKind, WorkerStatus
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import Point
from veritee.exceptions import ConfigError, DecryptionError, QuorumError
from veritee.gatekeeper.local import LocalGatekeepers
from veritee.models.builders import build_risk_model
from veritee.models.datasets import synthetic_patients
from veritee.models.tasks import FailureCode, decode_result, decode_tensor, encode_tensor
from veritee.protocol import JobDelivery, SignedBatch, open_result, seal_input
from veritee.worker import WorkerConfig, WorkerNode, WorkerServer, serve

TOKEN = 10**18
OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER, RELAYER = 1, 2, 3, 4, 5
PREDICT = {"v": 1, "task": "predict", "inputs": {"features": [[61, 31, 150, 7.0, 3, 1]]}}
AGGREGATE = {"v": 1, "task": "aggregate", "threshold": 0.5, "bins": 5}


@dataclass
class World:
    devnet: DevNetwork
    gatekeepers: LocalGatekeepers
    store: LocalBlobStore
    config: WorkerConfig
    model_id: ModelId
    bad_model_id: ModelId
    capsule_id: CapsuleId
    server: WorkerServer
    http: httpx.Client
    requester_keys: X25519KeyPair
    settings: dict[str, Any]
    worker_key: bytes = b""

    def make_config(self, **changes: Any) -> WorkerConfig:
        return WorkerConfig(**{**self.settings, **changes})

    @property
    def node(self) -> WorkerNode:
        return self.server.node

    def submit(self, document: Any, *, model: ModelId | None = None, capsules=()) -> JobDelivery:  # type: ignore[no-untyped-def]
        """Seal ``document`` to the worker, submit the job; the delivery a relayer would send."""
        requester = self.devnet.network(REQUESTER)
        if not self.worker_key:  # as the requester's SDK does: the key the worker registered
            self.worker_key = requester.workers.worker(self.node.enclave).x25519_key
        envelope = seal_input(
            self.worker_key,
            json.dumps(document).encode(),
            chain_id=self.devnet.deployment.chain_id,
            jobs=requester.jobs.address,
            worker=self.node.enclave,
        )
        digest = self.store.put(envelope)
        requester.token.approve(requester.jobs.address, 20 * TOKEN)
        job_id = requester.jobs.submit(
            JobRequest(
                worker=self.node.enclave,
                model_id=model or self.model_id,
                input_hash=bytes.fromhex(digest),
                input_uri=self.store.uri(digest),
                result_key=self.requester_keys.public_bytes(),
                max_fee=20 * TOKEN,
                deadline=self.devnet.now() + 3_600,
                capsule_ids=tuple(capsules),
            )
        )
        [event] = requester.jobs.events("JobSubmitted", argument_filters={"job_id": job_id})
        return JobDelivery.from_event(event.args)

    def deliver(self, delivery: JobDelivery) -> httpx.Response:
        return self.http.post(f"{self.server.url}/v1/jobs", json=delivery.to_json())

    def wait(self, job_id: int, timeout: float = 20.0) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            body = self.http.get(f"{self.server.url}/v1/jobs/{job_id}").json()
            if body["state"] in ("done", "failed"):
                return dict(body)
            time.sleep(0.02)
        raise AssertionError(f"job {job_id} did not finish: {body}")

    def batch(self, max_results: int = 10) -> SignedBatch | None:
        relayer = self.devnet.sender(RELAYER).address
        answer = self.http.post(
            f"{self.server.url}/v1/batches",
            json={"relayer": relayer, "max_results": max_results, "lease_seconds": 60},
        )
        if answer.status_code == 204:
            return None
        assert answer.status_code == 200, answer.text
        return SignedBatch.from_json(answer.json())

    def settle(self, batch: SignedBatch) -> None:
        self.devnet.network(RELAYER).jobs.settle(batch.worker, batch.results, batch.signature)

    def result_document(self, job_id: int, keys: X25519KeyPair | None = None) -> dict[str, Any]:
        body = self.http.get(f"{self.server.url}/v1/jobs/{job_id}").json()
        envelope = self.store.get(body["result_uri"].rsplit("/", 1)[1])
        assert hashlib.sha256(envelope).hexdigest() == body["result_hash"][2:]
        plaintext = open_result(
            keys or self.requester_keys,
            envelope,
            chain_id=self.devnet.deployment.chain_id,
            jobs=self.devnet.deployment.address("Jobs"),
            job_id=job_id,
        )
        return decode_result(plaintext)


def _world(root: Path) -> tuple[World, SimulatedProvider]:
    backend = EmbeddedChain()
    devnet = deploy_dev_network(backend, gatekeepers=3, threshold=2)
    admin = devnet.network(0)
    for index in (OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER):
        admin.token.transfer(backend.accounts[index].address, 1_000 * TOKEN)
    platform = SimulatedPlatform.generate()
    provider = SimulatedProvider({"role": "worker integration test"}, platform=platform)
    admin.policy.set_measurement(TeeKind.SIMULATED, provider.measurement(), True)
    gatekeepers = LocalGatekeepers(
        devnet, root / "gatekeepers", simulated_platform_keys=[platform.public_key_bytes]
    )
    gatekeepers.start()
    gatekeepers.run_dkg()

    store = LocalBlobStore(root / "blobs")
    models = devnet.network(MODEL_OWNER).models
    artifact = build_risk_model()
    uri = store.uri(store.put(artifact))
    model_id = models.register("risk", "1.0", hashlib.sha256(artifact).digest(), "onnx", uri, TOKEN)
    # Registered under another artifact's hash: whatever the URI serves does not match.
    bad_model_id = models.register(
        "risk-bad", "1.0", hashlib.sha256(b"another model").digest(), "onnx", uri, TOKEN
    )
    for registered in (model_id, bad_model_id):
        admin.models.verify(registered)

    capsules = devnet.network(CAPSULE_OWNER).capsules
    data, sealed = seal_bytes(
        synthetic_patients(300, seed=7),
        network_key=Point.from_xy(*admin.gatekeepers.network_key()),
        chain_id=devnet.deployment.chain_id,
        capsules=capsules.address,
        content_type="text/csv",
    )
    capsule_id = register_capsule(
        capsules, sealed, store.uri(store.put(data)), allowed_models=[model_id], price=2 * TOKEN
    )
    settings: dict[str, Any] = dict(
        operator_key=bytes(backend.accounts[OPERATOR].key),
        deployment=devnet.deployment,
        w3=backend.w3,
        gatekeepers=gatekeepers.endpoints,
        blob_store=store.base_url,
        models=[model_id, bad_model_id],
        provider=provider,
        data_dir=root / "worker",
        port=0,
        price=TOKEN,
        confirmations=0,
        max_concurrent=2,
        certificate_lifetime=7_200,
        renew_before=600,
        shutdown_timeout=10,
        settle_poll=0.2,
    )
    config = WorkerConfig(**settings)
    server = WorkerServer(WorkerNode(config))
    server.start()
    world = World(
        devnet,
        gatekeepers,
        store,
        config,
        model_id,
        bad_model_id,
        capsule_id,
        server,
        httpx.Client(timeout=30),
        X25519KeyPair.generate(),
        settings,
    )
    return world, provider


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built, _ = _world(tmp_path_factory.mktemp("worker"))
    try:
        yield built
    finally:
        built.server.stop()
        built.http.close()
        built.gatekeepers.stop()


def test_boot_registers_a_certified_worker(world: World) -> None:
    network = world.devnet.network(0)
    enclave = world.node.enclave
    info = network.workers.worker(enclave)
    assert info.status is WorkerStatus.ACTIVE and network.workers.is_certified(enclave)
    assert info.operator == world.devnet.sender(OPERATOR).address
    assert info.endpoint == world.server.url
    assert set(info.models) == {world.model_id, world.bad_model_id}
    assert info.bond == network.workers.min_bond()
    # The quote the certificate names is in the blob store, by its hash.
    assert world.store.has(info.quote_hash.hex())
    assert world.http.get(f"{world.server.url}/v1/health").json() == {
        "ok": True,
        "enclave": enclave,
    }
    status = world.http.get(f"{world.server.url}/v1/status").json()
    assert status["enclave"] == enclave and status["tee_kind"] == "simulated"
    assert status["measurement"] == "0x" + info.measurement.hex()
    assert status["certificate_expiry"] == info.expiry
    assert status["capacity"]["max_concurrent"] == 2
    assert set(status["jobs"]) == {"queued", "running", "ready", "leased", "settled", "failed"}


def test_the_certificate_is_renewed_on_chain(world: World) -> None:
    workers = world.devnet.network(0).workers
    enclave = world.node.enclave
    before = workers.worker(enclave)
    world.devnet.backend.advance_time(30)
    bundle = world.server.call(world.node.renew_certificate)
    after = workers.worker(enclave)
    assert bundle.certificate.enclave == enclave
    assert after.expiry == bundle.certificate.expiry > before.expiry
    assert after.quote_hash == bundle.certificate.quote_hash != before.quote_hash
    assert world.store.has(after.quote_hash.hex())
    status = world.http.get(f"{world.server.url}/v1/status").json()
    assert status["certificate_expiry"] == after.expiry


def test_predict_and_aggregate_run_and_settle(world: World) -> None:
    network = world.devnet.network(0)
    operator = world.devnet.sender(OPERATOR).address
    owners = {
        "model": world.devnet.sender(MODEL_OWNER).address,
        "capsule": world.devnet.sender(CAPSULE_OWNER).address,
        "operator": operator,
    }
    before = {k: network.jobs.claimable(v) for k, v in owners.items()}
    predict = world.submit(PREDICT)
    aggregate = world.submit(AGGREGATE, capsules=[world.capsule_id])
    for delivery in (predict, aggregate):
        answer = world.deliver(delivery)
        assert answer.status_code == 202, answer.text
        assert answer.json() == {"job_id": delivery.job_id, "state": "queued"}
    # Delivering again is idempotent.
    again = world.deliver(predict)
    assert again.status_code == 200 and again.json()["job_id"] == predict.job_id

    done = {d.job_id: world.wait(d.job_id) for d in (predict, aggregate)}
    assert all(body["state"] == "done" for body in done.values()), done
    timings = done[aggregate.job_id]["timings_ms"]
    assert {"input", "model", "capsules", "key_release", "inference", "encrypt_store"} <= set(
        timings
    )
    prediction = world.result_document(predict.job_id)
    assert prediction["task"] == "predict" and "outputs" in prediction
    summary = world.result_document(aggregate.job_id)["outputs"]
    assert summary["overall"]["rows"] == 300 and 0.0 <= summary["overall"]["mean"] <= 1.0

    batch = world.batch()
    assert batch is not None
    batch.check(network.jobs.domain())
    assert sorted(batch.job_ids) == sorted([predict.job_id, aggregate.job_id])
    assert world.batch() is None  # leased: no second relayer gets them
    world.settle(batch)
    for delivery in (predict, aggregate):
        assert network.jobs.status(JobId(delivery.job_id)) is JobStatus.SETTLED
    after = {k: network.jobs.claimable(v) for k, v in owners.items()}
    assert after["model"] - before["model"] == 2 * TOKEN
    assert after["capsule"] - before["capsule"] == 2 * TOKEN
    assert after["operator"] - before["operator"] == 2 * TOKEN

    # The background sweep (every settle_poll seconds) may have seen it first.
    world.server.call(world.node.sweep_settled)
    state = world.http.get(f"{world.server.url}/v1/jobs/{predict.job_id}").json()
    assert state["state"] == "settled"


def test_predict_with_base64_tensors_equals_the_json_lists(world: World) -> None:
    rows = [[61, 31, 150, 7.0, 3, 1], [45, 22.5, 118, 5.2, 0, 0]]
    as_json = world.submit({"v": 1, "task": "predict", "inputs": {"features": rows}})
    as_base64 = world.submit(
        {
            "v": 1,
            "task": "predict",
            "inputs": {"features": encode_tensor(np.array(rows, dtype=np.float32))},
            "output_encoding": "base64",
        }
    )
    for delivery in (as_json, as_base64):
        assert world.deliver(delivery).status_code == 202
        assert world.wait(delivery.job_id)["state"] == "done"
    listed = world.result_document(as_json.job_id)["outputs"]["risk"]
    encoded = world.result_document(as_base64.job_id)["outputs"]["risk"]
    assert isinstance(listed, list) and encoded["dtype"] == "float32"
    assert decode_tensor(encoded).tolist() == np.array(listed, dtype=np.float32).tolist()


def test_a_result_opens_only_with_the_requesters_key(world: World) -> None:
    delivery = world.submit(PREDICT)
    assert world.deliver(delivery).status_code == 202
    world.wait(delivery.job_id)
    with pytest.raises(DecryptionError):
        world.result_document(delivery.job_id, X25519KeyPair.generate())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("input_uri", "file:///elsewhere/" + "00" * 32),
        ("result_key", b"\x05" * 32),
        ("capsule_ids", (1,)),
    ],
)
def test_a_tampered_delivery_is_refused_naming_the_field(
    world: World, field: str, value: object
) -> None:
    delivery = world.submit(PREDICT)
    answer = world.deliver(replace(delivery, **{field: value}))
    assert answer.status_code == 409
    assert answer.json() == {"error": f"delivered {field} differs from the chain's"}
    assert world.http.get(f"{world.server.url}/v1/jobs/{delivery.job_id}").status_code == 404


def test_a_delivery_for_another_job_or_worker_is_refused(world: World) -> None:
    delivery = world.submit(PREDICT)
    unknown = world.deliver(replace(delivery, job_id=10**6))
    assert unknown.status_code == 409 and "does not exist" in unknown.json()["error"]
    malformed = world.http.post(f"{world.server.url}/v1/jobs", content=b"{")
    assert malformed.status_code == 400 and "not JSON" in malformed.json()["error"]


def test_a_model_not_matching_the_registry_fails_with_code_3_and_refunds(world: World) -> None:
    network = world.devnet.network(0)
    requester = world.devnet.sender(REQUESTER).address
    delivery = world.submit(PREDICT, model=world.bad_model_id)
    assert world.deliver(delivery).status_code == 202
    body = world.wait(delivery.job_id)
    assert body["state"] == "failed" and body["status"] == FailureCode.MODEL_UNAVAILABLE
    assert "does not match the registry" in body["reason"]
    assert world.result_document(delivery.job_id)["error"]["code"] == 3
    before = network.jobs.claimable(requester)
    batch = world.batch()
    assert batch is not None and delivery.job_id in batch.job_ids
    world.settle(batch)
    assert network.jobs.status(JobId(delivery.job_id)) is JobStatus.FAILED
    assert network.jobs.claimable(requester) - before >= 20 * TOKEN  # a full refund


class GatedStore(LocalBlobStore):
    """A local store whose reads of some blobs wait until the gate opens: a job that hangs."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.gated: set[str] = set()
        self.gate = threading.Event()

    def get(self, digest: str) -> bytes:
        if digest in self.gated:
            self.gate.wait(30)
        return super().get(digest)


def _restart(world: World, blob_store: str | LocalBlobStore) -> None:
    world.config.blob_store = blob_store
    world.server = WorkerServer(WorkerNode(world.config))
    world.server.start()


def test_restart_resumes_the_same_enclave_its_results_and_its_unfinished_jobs(
    world: World,
) -> None:
    network = world.devnet.network(0)
    enclave = world.node.enclave
    where = {"worker": enclave}
    finished = world.submit(PREDICT)
    assert world.deliver(finished).status_code == 202
    world.wait(finished.job_id)
    renewals = len(network.workers.events("CertificateRenewed", argument_filters=where))
    world.server.stop()

    # Restarted (later, on another port), the worker gets a job whose input read hangs, and is
    # shut down while running it: the job goes back to the queue in the sealed state.
    world.devnet.backend.advance_time(60)
    gated = GatedStore(world.store.root)
    _restart(world, gated)
    assert world.node.enclave == enclave
    assert len(network.workers.events("WorkerRegistered", argument_filters=where)) == 1
    assert len(network.workers.events("CertificateRenewed", argument_filters=where)) == renewals + 1
    assert network.workers.worker(enclave).endpoint == world.server.url
    hanging = world.submit(PREDICT)
    gated.gated.add(hanging.input_hash.hex())
    assert world.deliver(hanging).status_code == 202
    url = world.server.url
    end = time.monotonic() + 10
    while world.http.get(f"{url}/v1/jobs/{hanging.job_id}").json()["state"] != "running":
        assert time.monotonic() < end
        time.sleep(0.02)
    world.server.stop(timeout=0.2)
    gated.gate.set()

    # Restarted again: the same enclave resumes the job and still offers the unsettled result.
    _restart(world, world.store.base_url)
    assert world.node.enclave == enclave
    assert len(network.workers.events("WorkerRegistered", argument_filters=where)) == 1
    assert world.wait(hanging.job_id)["state"] == "done"
    assert world.http.get(f"{world.server.url}/v1/jobs/{finished.job_id}").json()["state"] == (
        "done"
    )
    batch = world.batch()
    assert batch is not None
    assert {finished.job_id, hanging.job_id} <= set(batch.job_ids)
    world.settle(batch)
    for job_id in (finished.job_id, hanging.job_id):
        assert network.jobs.status(JobId(job_id)) is JobStatus.SETTLED


def test_the_daemon_resumes_and_serves_until_sigterm(world: World) -> None:
    world.server.stop()
    state_file = world.config.data_dir / "worker-state.sealed"
    before = state_file.stat().st_mtime_ns
    seen: dict[str, Any] = {}

    def client(url: str) -> None:
        with httpx.Client(timeout=30) as http:
            seen["health"] = http.get(f"{url}/v1/health").json()
        os.kill(os.getpid(), signal.SIGTERM)

    def ready(url: str) -> None:
        seen["url"] = url
        threading.Thread(target=client, args=(url,), daemon=True).start()

    serve(world.config, ready)  # returns once SIGTERM has shut it down
    assert seen["health"] == {"ok": True, "enclave": world.node.enclave}
    assert state_file.stat().st_mtime_ns > before
    with pytest.raises(httpx.ConnectError):
        world.http.get(f"{seen['url']}/v1/health")
    _restart(world, world.store.base_url)  # serving again for the tests that follow


def test_a_boot_without_gatekeepers_fails_and_closes_everything(
    world: World, tmp_path: Path
) -> None:
    dead = [replace(e, url=_dead_url()) for e in world.gatekeepers.endpoints]
    server = WorkerServer(
        WorkerNode(world.make_config(gatekeepers=dead, data_dir=tmp_path, gatekeeper_timeout=2))
    )
    with pytest.raises(QuorumError, match="certificate signatures"):
        server.start()
    assert not (tmp_path / "worker-state.sealed").exists()


def test_state_sealed_by_other_code_is_not_opened(world: World) -> None:
    provider = world.settings["provider"]
    other = SimulatedProvider({"role": "other worker code"}, platform=provider.platform)
    world.devnet.network(0).policy.set_measurement(TeeKind.SIMULATED, other.measurement(), True)
    server = WorkerServer(WorkerNode(world.make_config(provider=other)))
    with pytest.raises(ConfigError, match="sealed by code with another measurement"):
        server.start()


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"
