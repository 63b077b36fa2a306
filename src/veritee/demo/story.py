"""The seed's story, end to end, in one process on the embedded chain.

A hospital seals a synthetic patient dataset as a priced capsule; a model builder registers an
ONNX readmission-risk model; a worker in a (simulated) TEE is certified by three threshold
gatekeepers (t = 2) and bonds itself; a researcher submits a job that returns only aggregate
risk statistics; a relayer delivers it and settles the worker's signed result; the payouts are
read from the chain and ``verify`` checks every link. Everything talks the same HTTP and the
same contracts as a production deployment; only the TEE is simulated and the keys are public
development keys.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veritee.attestation.simulated import SimulatedPlatform, SimulatedProvider
from veritee.blobs import LocalBlobStore
from veritee.capsule import register_capsule, seal_bytes
from veritee.chain import EmbeddedChain
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.chain.types import TeeKind
from veritee.gatekeeper.local import LocalGatekeepers
from veritee.models.builders import build_risk_model
from veritee.models.datasets import synthetic_patients
from veritee.relayer import RelayerConfig, RelayerThread
from veritee.sdk import ClientOptions, SyncClient, VerificationReport, VerifyOptions
from veritee.worker import WorkerConfig, WorkerNode, WorkerServer

__all__ = ["DemoReport", "run_demo"]

TOKEN = 10**18
ADMIN, OPERATOR, RESEARCHER, MODEL_BUILDER, HOSPITAL, RELAYER = 0, 1, 2, 3, 4, 5
PATIENTS = 5_000

Progress = Callable[[str], None]


@dataclass
class DemoReport:
    """What the demo did and measured."""

    job_id: int = 0
    model_id: int = 0
    capsule_id: int = 0
    worker: str = ""
    patients: int = PATIENTS
    result: dict[str, Any] = field(default_factory=dict)
    payouts: dict[str, int] = field(default_factory=dict)
    conserved: bool = False
    verification: VerificationReport | None = None
    timings: dict[str, float] = field(default_factory=dict)
    contracts: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "model_id": self.model_id,
            "capsule_id": self.capsule_id,
            "worker": self.worker,
            "patients": self.patients,
            "result": self.result,
            "payouts_wei": self.payouts,
            "conserved": self.conserved,
            "verify": self.verification.to_json() if self.verification else None,
            "timings_s": {name: round(seconds, 3) for name, seconds in self.timings.items()},
            "contracts": self.contracts,
        }


class _Steps:
    def __init__(self, report: DemoReport, progress: Progress) -> None:
        self.report, self.progress = report, progress

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.progress(name)
        started = time.perf_counter()
        yield
        self.report.timings[name] = time.perf_counter() - started


def run_demo(progress: Progress = lambda _: None, *, patients: int = PATIENTS) -> DemoReport:
    """Run the story; returns the report (the caller prints it)."""
    report = DemoReport(patients=patients)
    steps = _Steps(report, progress)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="veritee-demo-")))
        with steps.step("deploy contracts"):
            backend = stack.enter_context(EmbeddedChain())
            devnet = deploy_dev_network(backend)
            report.contracts = {
                name: record.address for name, record in devnet.deployment.contracts.items()
            }
            admin = devnet.network(ADMIN)
            for index in (OPERATOR, RESEARCHER, MODEL_BUILDER, HOSPITAL):
                admin.token.transfer(backend.accounts[index].address, 10_000 * TOKEN)
            platform = SimulatedPlatform.generate()
            provider = SimulatedProvider({"role": "veritee demo worker"}, platform=platform)
            admin.policy.set_measurement(TeeKind.SIMULATED, provider.measurement(), True)

        with steps.step("gatekeepers: DKG (t=2 of 3)"):
            gatekeepers = LocalGatekeepers(
                devnet, tmp / "gatekeepers", simulated_platform_keys=[platform.public_key_bytes]
            )
            stack.enter_context(gatekeepers)
            gatekeepers.run_dkg()
        store = stack.enter_context(LocalBlobStore(tmp / "blobs"))

        with steps.step("model builder registers the risk model"):
            report.model_id = _register_model(devnet, store)

        with steps.step(f"hospital seals {patients:,} patients as a capsule"):
            report.capsule_id = _register_capsule(devnet, store, report.model_id, patients)

        with steps.step("worker boots: attest, certify, bond"):
            config = WorkerConfig(
                operator_key=bytes(backend.accounts[OPERATOR].key),
                deployment=devnet.deployment,
                w3=backend.w3,
                gatekeepers=gatekeepers.endpoints,
                blob_store=store,
                models=[report.model_id],
                provider=provider,
                data_dir=tmp / "worker",
                price=10 * TOKEN,
                confirmations=0,
                port=0,
            )
            server = WorkerServer(WorkerNode(config))
            server.start()
            stack.callback(server.stop)
            report.worker = server.node.enclave
            relayer = RelayerThread(
                RelayerConfig(
                    deployment=devnet.deployment,
                    w3=backend.w3,
                    private_key=bytes(backend.accounts[RELAYER].key),
                    db_path=tmp / "relayer.sqlite",
                    confirmations=0,
                    poll_interval=0.05,
                    batch_wait=0.1,
                )
            ).start()
            stack.callback(relayer.stop)

        researcher = devnet.network(RESEARCHER)
        client = stack.enter_context(
            SyncClient(
                researcher,
                bytes(backend.accounts[RESEARCHER].key),
                store,
                # An in-process chain answers at once: poll it often.
                options=ClientOptions(poll_interval=0.05),
            )
        )
        with steps.step("researcher submits an aggregate job"):
            document = {"v": 1, "task": "aggregate", "threshold": 0.3, "bins": 10}
            job = client.submit(report.model_id, document, capsule_ids=[report.capsule_id])
            report.job_id = job.job_id
        with steps.step("relay, key release, inference, settlement"):
            client.wait(job.job_id, timeout=60)
        with steps.step("researcher decrypts the result"):
            report.result = client.result(job)
        with steps.step("verify the job end to end"):
            options = VerifyOptions(simulated_platform_keys=[platform.public_key_bytes])
            report.verification = client.verify(job.job_id, options)
        _payouts(devnet, report)
    return report


def _register_model(devnet: DevNetwork, store: LocalBlobStore) -> int:
    artifact = build_risk_model()
    digest = store.put(artifact)
    builder = devnet.network(MODEL_BUILDER)
    model_id = builder.models.register(
        "readmission-risk", "1.0", bytes.fromhex(digest), "onnx", store.uri(digest), 20 * TOKEN
    )
    devnet.network(ADMIN).models.verify(model_id)
    return int(model_id)


def _register_capsule(
    devnet: DevNetwork, store: LocalBlobStore, model_id: int, patients: int
) -> int:
    hospital = devnet.network(HOSPITAL)
    dataset = synthetic_patients(patients, seed=2026)
    sealed_bytes, sealed = seal_bytes(
        dataset,
        network_key=hospital.gatekeepers.network_key(),
        chain_id=devnet.deployment.chain_id,
        capsules=hospital.capsules.address,
        content_type="text/csv",
    )
    digest = store.put(sealed_bytes)
    capsule_id = register_capsule(
        hospital.capsules, sealed, store.uri(digest), allowed_models=[model_id], price=15 * TOKEN
    )
    return int(capsule_id)


def _payouts(devnet: DevNetwork, report: DemoReport) -> None:
    admin = devnet.network(ADMIN)
    jobs = admin.jobs
    accounts = devnet.backend.accounts
    report.payouts = {
        "hospital (data owner)": jobs.claimable(accounts[HOSPITAL].address),
        "model builder": jobs.claimable(accounts[MODEL_BUILDER].address),
        "worker operator": jobs.claimable(accounts[OPERATOR].address),
        "treasury": jobs.claimable(jobs.treasury()),
        "researcher refund": jobs.claimable(accounts[RESEARCHER].address),
    }
    report.conserved = jobs.escrowed() + jobs.total_claimable() == admin.token.balance_of(
        jobs.address
    )
