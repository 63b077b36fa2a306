"""The SDK against a real deployment on the embedded chain, with the test playing the worker.

The worker here is a development-certified enclave key whose certificate carries a real simulated
quote (a fresh platform key, the quote stored in a LocalBlobStore by its SHA-256); it opens the
input the SDK sealed to it, seals a result to the job's result key, signs the batch with its
enclave key and settles. Each test starts from the same chain state (snapshot and revert).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator
from typing import Any

import coincurve
import httpx
import pytest
from eth_utils import keccak

from veritee.attestation import ReportDataBinding, SimulatedPlatform, SimulatedProvider
from veritee.blobs import LocalBlobStore
from veritee.chain import EmbeddedChain
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.chain.types import CapsuleId, JobId, JobStatus, ModelId, TeeKind
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.typed_data import JobResult, address_of, batch_digest, sign_digest
from veritee.exceptions import (
    BlobIntegrityError,
    ConfigError,
    DecryptionError,
    JobError,
    JobFailed,
    JobTimeout,
    VerificationFailed,
)
from veritee.gatekeeper import WORKER_REPORT_DOMAIN
from veritee.models.tasks import encode_document, failure_document
from veritee.protocol import open_input, seal_result
from veritee.sdk import (
    Client,
    ClientOptions,
    JobProgress,
    SyncClient,
    VerifyOptions,
    job_info_to_json,
)

TOKEN = 10**18
OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER, RELAYER = 1, 2, 3, 4, 5
DOCUMENT = {"v": 1, "task": "predict", "inputs": {"features": [[0.5, 1.5]]}}
OUTPUTS = {"scores": [[0.25]]}
LINKS = ["settlement", "certificate", "quote", "policy", "result", "signature", "payments"]


class PlayedWorker:
    """A worker played by the test: certified with a real simulated quote, settling by hand."""

    def __init__(
        self,
        devnet: DevNetwork,
        store: LocalBlobStore,
        provider: SimulatedProvider,
        *,
        label: str,
        price: int,
        models: list[int],
        store_quote: bool = True,
    ) -> None:
        self.devnet, self.store = devnet, store
        self.enclave_key = keccak(text=f"sdk test enclave {label}")
        self.enclave = address_of(self.enclave_key)
        self.x25519 = X25519KeyPair.generate()
        self.endpoint = f"http://{label}.worker.test"
        self.provider, self.store_quote = provider, store_quote
        operator = devnet.network(OPERATOR)
        certificate, signatures = self._certify(lifetime=86_400)
        bond = operator.workers.min_bond()
        operator.token.approve(operator.workers.address, bond)
        operator.workers.register(certificate, signatures, self.endpoint, price, models, bond)

    def _certify(self, lifetime: int) -> tuple[Any, list[bytes]]:
        """A certificate over a fresh simulated quote (stored unless told not to), signed."""
        operator = self.devnet.network(OPERATOR)
        binding = ReportDataBinding(
            domain=WORKER_REPORT_DOMAIN,
            chain_id=self.devnet.deployment.chain_id,
            registry=operator.workers.address,
            enclave=self.enclave,
            x25519_public=self.x25519.public_bytes(),
            operator=operator.address,
        )
        nonce = bytes(self.devnet.backend.w3.eth.get_block("latest")["hash"])
        raw = self.provider.get_quote(binding.report_data(nonce)).raw
        if self.store_quote:
            self.store.put(raw)
        certificate = dataclasses.replace(
            self.devnet.certificate(self.enclave_key, operator.address, lifetime=lifetime),
            x25519_key=self.x25519.public_bytes(),
            measurement=self.provider.measurement(),
            quote_hash=hashlib.sha256(raw).digest(),
        )
        return certificate, self.devnet.sign_certificate(certificate)

    def renew(self, lifetime: int) -> None:
        certificate, signatures = self._certify(lifetime)
        self.devnet.network(OPERATOR).workers.renew(certificate, signatures)

    def read_input(self, job_id: int) -> bytes:
        jobs = self.devnet.network(RELAYER).jobs
        job = jobs.job(JobId(job_id))
        envelope = self.store.get(job.input_hash.hex())
        return open_input(
            self.x25519,
            envelope,
            chain_id=self.devnet.deployment.chain_id,
            jobs=jobs.address,
            worker=self.enclave,
        )

    def succeed(self, job_id: int) -> JobResult:
        return self.settle(
            job_id, {"v": 1, "job_id": job_id, "task": "predict", "outputs": OUTPUTS}
        )

    def settle(self, job_id: int, document: dict[str, Any], status: int = 0) -> JobResult:
        jobs = self.devnet.network(RELAYER).jobs
        envelope = seal_result(
            jobs.job(JobId(job_id)).result_key,
            encode_document(document),
            chain_id=self.devnet.deployment.chain_id,
            jobs=jobs.address,
            job_id=job_id,
        )
        digest = self.store.put(envelope)
        result = JobResult(job_id, bytes.fromhex(digest), self.store.uri(digest), status)
        signature = sign_digest(
            self.enclave_key, batch_digest(jobs.domain(), self.enclave, [result])
        )
        jobs.settle(self.enclave, [result], signature)
        return result


@dataclasses.dataclass
class World:
    devnet: DevNetwork
    store: LocalBlobStore
    platform: SimulatedPlatform
    provider: SimulatedProvider
    model_id: ModelId
    capsule_id: CapsuleId
    worker: PlayedWorker
    quoteless: PlayedWorker

    def client(self, **options: Any) -> SyncClient:
        network = self.devnet.network(REQUESTER)
        key = bytes(self.devnet.backend.accounts[REQUESTER].key)
        return SyncClient(
            network,
            key,
            self.store,
            options=ClientOptions(poll_interval=0.01, **options),
            transport=httpx.MockTransport(self._status),
        )

    def _status(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "a.worker.test" and request.url.path == "/v1/status":
            body = {  # the shape veritee.worker answers
                "enclave": self.worker.enclave,
                "accepting": True,
                "capacity": {"max_concurrent": 4, "running": 1, "waiting": 1},
                "jobs": {"queued": 1, "running": 1, "ready": 0, "settled": 3},
            }
            return httpx.Response(200, json=body)
        raise httpx.ConnectError("connection refused", request=request)

    def verify_options(self) -> VerifyOptions:
        return VerifyOptions(simulated_platform_keys=[self.platform.public_key_pem()])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("sdk")
    code = root / "code"
    code.mkdir()
    (code / "worker.py").write_text("# the measured worker code of this test\n")
    with EmbeddedChain() as backend:
        devnet = deploy_dev_network(backend)
        admin = devnet.network(0)
        for index in (OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER):
            admin.token.transfer(backend.accounts[index].address, 10_000 * TOKEN)
        platform = SimulatedPlatform.generate()
        provider = SimulatedProvider(
            {"worker": "sdk-test"}, platform=platform, package_root=code, clock=devnet.now
        )
        admin.policy.set_measurement(TeeKind.SIMULATED, provider.measurement(), True)
        model_id = devnet.network(MODEL_OWNER).models.register(
            "risk", "1.0", keccak(b"onnx"), "onnx", "file:///model", 20 * TOKEN
        )
        admin.models.verify(model_id)
        point = coincurve.PrivateKey(keccak(b"sdk capsule")).public_key.format(compressed=False)
        capsule_id = devnet.network(CAPSULE_OWNER).capsules.register(
            keccak(b"capsule"),
            "file:///capsule",
            (int.from_bytes(point[1:33], "big"), int.from_bytes(point[33:], "big")),
            [model_id],
            price=15 * TOKEN,
        )
        store = LocalBlobStore(root / "blobs")
        worker = PlayedWorker(
            devnet, store, provider, label="a", price=10 * TOKEN, models=[model_id]
        )
        quoteless = PlayedWorker(
            devnet,
            store,
            provider,
            label="b",
            price=12 * TOKEN,
            models=[model_id],
            store_quote=False,
        )
        yield World(devnet, store, platform, provider, model_id, capsule_id, worker, quoteless)


@pytest.fixture
def w(world: World) -> Iterator[World]:
    snapshot = world.devnet.backend.snapshot()
    yield world
    world.devnet.backend.revert(snapshot)
    world.devnet.resync()


@pytest.fixture
def sdk(w: World) -> Iterator[SyncClient]:
    with w.client() as client:
        yield client


def _statuses(report: Any) -> dict[str, str]:
    return {check.name: check.status for check in report.checks}


def test_workers_are_ranked_with_load_and_unreachable_ones_excluded(
    w: World, sdk: SyncClient
) -> None:
    candidates = {c.enclave: c for c in sdk.workers(w.model_id)}
    assert set(candidates) == {w.worker.enclave, w.quoteless.enclave}
    reachable = candidates[w.worker.enclave]
    assert reachable.load is not None and float(reachable.load.ratio) == 0.5
    unreachable = candidates[w.quoteless.enclave]
    assert unreachable.excluded is not None and "unreachable" in unreachable.excluded
    assert json.dumps([c.to_json() for c in candidates.values()])
    assert sdk.choose(w.model_id).enclave == w.worker.enclave


def test_submit_result_and_verify_all_green(w: World, sdk: SyncClient) -> None:
    quote = sdk.quote(w.model_id, [w.capsule_id], w.worker.enclave)
    job = sdk.submit(w.model_id, DOCUMENT, capsule_ids=[w.capsule_id])
    assert job.worker == w.worker.enclave
    info = w.devnet.network(0).jobs.job(JobId(job.job_id))
    assert info.price == quote.total == job.max_fee  # max_fee is exact by default
    assert info.result_key == job.result_key
    assert w.worker.read_input(job.job_id) == encode_document(DOCUMENT)

    w.worker.succeed(job.job_id)
    seen: list[JobProgress] = []
    assert sdk.wait(job.job_id, timeout=5, progress=seen.append).status is JobStatus.SETTLED
    assert seen[-1].final and seen[-1].state == "settled"
    assert seen[-1].to_json()["state"] == "settled"
    settled = job_info_to_json(sdk.wait(job.job_id, timeout=5))
    assert json.loads(json.dumps(settled))["status"] == "settled"
    assert settled["price"] == quote.total and json.dumps(job.to_json())
    assert job.result_private_key().hex() not in json.dumps(job.to_json())
    assert sdk.result(job)["outputs"] == OUTPUTS

    report = sdk.verify(job.job_id, w.verify_options())
    assert report.ok, report.summary()
    assert _statuses(report) == dict.fromkeys(LINKS, "pass")
    report.raise_for_failure()
    payments = report.check("payments").evidence
    roles = {row["role"]: (row["address"], row["amount"]) for row in payments["payees"]}
    assert roles["worker operator"] == (w.devnet.network(OPERATOR).address, 10 * TOKEN)
    assert roles[f"capsule {w.capsule_id} owner"][1] == 15 * TOKEN
    assert payments["paid"] == quote.total and payments["refund"] == 0
    assert "development only" in report.check("quote").detail
    assert json.loads(json.dumps(report.to_json()))["ok"] is True


def test_replaced_result_blob_fails_only_the_result_check(w: World, sdk: SyncClient) -> None:
    job = sdk.submit(w.model_id, DOCUMENT)
    result = w.worker.succeed(job.job_id)
    path = w.store.path(result.result_hash.hex())
    os.chmod(path, 0o644)
    path.write_bytes(b"substituted by an untrusted store")

    report = sdk.verify(job.job_id, w.verify_options())
    assert {n for n, s in _statuses(report).items() if s == "fail"} == {"result"}
    assert "does not hash to the on-chain result_hash" in report.check("result").detail
    with pytest.raises(VerificationFailed) as caught:
        report.raise_for_failure()
    assert caught.value.report is report
    with pytest.raises(BlobIntegrityError):
        sdk.result(job)


def test_missing_quote_blob_fails_the_quote_check(w: World, sdk: SyncClient) -> None:
    job = sdk.submit(w.model_id, DOCUMENT, worker=w.quoteless.enclave)
    w.quoteless.succeed(job.job_id)
    report = sdk.verify(job.job_id, w.verify_options())
    assert {n for n, s in _statuses(report).items() if s == "fail"} == {"quote"}
    assert "not in the blob store" in report.check("quote").detail


def test_simulated_quote_without_a_pinned_platform_key_fails(w: World, sdk: SyncClient) -> None:
    job = sdk.submit(w.model_id, DOCUMENT)
    w.worker.succeed(job.job_id)
    report = sdk.verify(job.job_id)
    assert _statuses(report)["quote"] == "fail"
    assert "simulated_platform_keys" in report.check("quote").detail


def test_measurement_removed_after_settlement_still_verifies(w: World, sdk: SyncClient) -> None:
    job = sdk.submit(w.model_id, DOCUMENT)
    w.worker.succeed(job.job_id)
    w.devnet.network(0).policy.set_measurement(TeeKind.SIMULATED, w.provider.measurement(), False)
    report = sdk.verify(job.job_id, w.verify_options())
    assert report.ok, report.summary()
    policy = report.check("policy")
    assert "removed since" in policy.detail
    assert policy.evidence["allowed_at_block"] and not policy.evidence["allowed_now"]


def test_failed_job_raises_job_failed_and_verifies_the_full_refund(
    w: World, sdk: SyncClient
) -> None:
    job = sdk.submit(w.model_id, DOCUMENT, capsule_ids=[w.capsule_id], max_fee=100 * TOKEN)
    w.worker.settle(job.job_id, failure_document(job.job_id, 5, "the model failed to run"), 5)
    with pytest.raises(JobFailed) as caught:
        sdk.result(job)
    assert (caught.value.code, caught.value.reason) == (5, "the model failed to run")

    report = sdk.verify(job.job_id, w.verify_options())
    assert report.ok, report.summary()
    payments = report.check("payments")
    assert payments.evidence["refund"] == 100 * TOKEN and payments.evidence["paid"] == 0
    assert "refunded the full max fee" in payments.detail


def test_result_opened_with_another_key_raises_decryption_error(w: World, sdk: SyncClient) -> None:
    job = sdk.submit(w.model_id, DOCUMENT)
    w.worker.succeed(job.job_id)
    with pytest.raises(DecryptionError):
        sdk.result((job.job_id, X25519KeyPair.generate()))
    assert sdk.result((job.job_id, job.keys))["outputs"] == OUTPUTS


def test_pending_job_times_out_and_does_not_verify(w: World, sdk: SyncClient) -> None:
    job = sdk.submit(w.model_id, DOCUMENT)
    with pytest.raises(JobTimeout, match="still pending"):
        sdk.wait(job.job_id, timeout=0.05)
    with pytest.raises(JobError, match="still pending"):
        sdk.result(job)
    report = sdk.verify(job.job_id, w.verify_options())
    assert not report.ok
    assert _statuses(report)["settlement"] == "fail"
    w.devnet.backend.advance_time(700)  # past the default 600 s deadline, still pending
    with pytest.raises(JobTimeout, match="passed its deadline"):
        sdk.wait(job.job_id)


def test_expired_job_is_refunded_and_verifies(w: World, sdk: SyncClient) -> None:
    job = sdk.submit(w.model_id, DOCUMENT, deadline_seconds=60)
    w.devnet.backend.advance_time(120)
    w.devnet.network(RELAYER).jobs.expire(JobId(job.job_id))
    assert sdk.wait(job.job_id).status is JobStatus.EXPIRED
    with pytest.raises(JobError, match="expired without a result and was refunded"):
        sdk.result(job)
    report = sdk.verify(job.job_id, w.verify_options())
    assert report.ok, report.summary()
    statuses = _statuses(report)
    assert statuses["settlement"] == statuses["payments"] == "pass"
    assert {statuses[n] for n in ("certificate", "quote", "policy", "result", "signature")} == {
        "skip"
    }


def test_unknown_job(w: World, sdk: SyncClient) -> None:
    with pytest.raises(JobError, match="does not exist"):
        sdk.wait(999, timeout=1)
    assert not sdk.verify(999).ok


def test_the_certificate_in_force_at_settlement_is_the_one_checked(
    w: World, sdk: SyncClient
) -> None:
    before = sdk.submit(w.model_id, DOCUMENT)
    w.worker.succeed(before.job_id)
    w.devnet.backend.advance_time(5)
    w.worker.renew(lifetime=2 * 86_400)
    after = sdk.submit(w.model_id, DOCUMENT)
    w.worker.succeed(after.job_id)
    options = w.verify_options()
    first, second = sdk.verify(before.job_id, options), sdk.verify(after.job_id, options)
    assert first.ok and second.ok, (first.summary(), second.summary())
    assert first.check("certificate").evidence["announcement"] == "WorkerRegistered"
    assert second.check("certificate").evidence["announcement"] == "CertificateRenewed"
    assert (
        first.check("quote").evidence["quote_hash"] != second.check("quote").evidence["quote_hash"]
    )


def test_a_max_fee_below_the_price_is_refused_before_anything_is_sent(
    w: World, sdk: SyncClient
) -> None:
    with pytest.raises(JobError, match=r"below the job's price of 31\.5 VRT"):
        sdk.submit(w.model_id, DOCUMENT, worker=w.worker.enclave, max_fee=TOKEN)
    with pytest.raises(JobError, match="cannot take a job for model 99"):
        sdk.submit(99, DOCUMENT, worker=w.worker.enclave)


def test_async_client_with_a_caller_owned_http_client(w: World) -> None:
    async def run() -> list[str]:
        transport = httpx.MockTransport(w._status)
        async with httpx.AsyncClient(transport=transport) as http:
            network = w.devnet.network(REQUESTER)
            key = bytes(w.devnet.backend.accounts[REQUESTER].key)
            async with Client(network, key, w.store, http=http) as client:
                candidates = await client.workers(w.model_id)
            assert not http.is_closed  # the caller's to close
        return [c.enclave for c in candidates if c.eligible]

    assert asyncio.run(run()) == [w.worker.enclave]
    with pytest.raises(ConfigError, match="not the key of the Network's sending account"):
        Client(w.devnet.network(REQUESTER), keccak(b"someone else"), w.store)
