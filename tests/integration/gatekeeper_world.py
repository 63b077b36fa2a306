"""A development network with three gatekeepers, a certified worker, a capsule and a job.

Shared by the gatekeeper integration tests: everything here goes through the real paths (the DKG
over HTTP via the relay, certification from a simulated quote, on-chain registration, a capsule
sealed to the published network key, a submitted job).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import keccak

from veritee.attestation.report_data import ReportDataBinding
from veritee.attestation.simulated import SimulatedPlatform, SimulatedProvider
from veritee.chain import ChainBackend, EmbeddedChain, JobRequest
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.chain.types import CapsuleId, JobId, ModelId, TeeKind
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import Point
from veritee.crypto.threshold import seal_capsule_key
from veritee.crypto.typed_data import JobResult, address_of, batch_digest, sign_digest
from veritee.gatekeeper.certificates import CertifyRequest
from veritee.gatekeeper.certify import WORKER_REPORT_DOMAIN
from veritee.gatekeeper.client import SyncGatekeeperClient
from veritee.gatekeeper.local import LocalGatekeepers
from veritee.gatekeeper.node import GatekeeperNode
from veritee.gatekeeper.outcomes import CertificateBundle, GatekeeperEndpoint

TOKEN = 10**18
OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER, KEEPER = 1, 2, 3, 4, 5
LIFETIME = 7_200


@dataclass
class Worker:
    """A worker's enclave: its signing key, X25519 key pair and simulated TEE."""

    enclave_key: bytes
    provider: SimulatedProvider
    x25519: X25519KeyPair = field(default_factory=X25519KeyPair.generate)

    @property
    def address(self) -> str:
        return address_of(self.enclave_key)

    def certify_request(
        self, devnet: DevNetwork, operator: str, **changes: object
    ) -> CertifyRequest:
        """A fresh quote bound to this enclave, its keys, the operator and a recent block hash."""
        w3 = devnet.backend.w3
        nonce = bytes(w3.eth.get_block("latest")["hash"])
        binding = ReportDataBinding(
            domain=WORKER_REPORT_DOMAIN,
            chain_id=devnet.deployment.chain_id,
            registry=devnet.deployment.address("Workers"),
            enclave=self.address,
            x25519_public=self.x25519.public_bytes(),
            operator=operator,
        )
        quote = self.provider.get_quote(binding.report_data(nonce))
        fields: dict[str, object] = {
            "quote": quote.raw,
            "tee_kind": TeeKind.SIMULATED,
            "enclave": self.address,
            "x25519_key": self.x25519.public_bytes(),
            "operator": operator,
            "nonce": nonce,
            "lifetime": LIFETIME,
        }
        fields.update(changes)
        return CertifyRequest(**fields)  # type: ignore[arg-type]


@dataclass
class World:
    devnet: DevNetwork
    endpoints: list[GatekeeperEndpoint]
    platform: SimulatedPlatform
    model_id: ModelId
    worker: Worker
    other_worker: Worker
    bundle: CertificateBundle
    capsule_id: CapsuleId
    capsule_r: Point
    data_key: bytes
    other_capsule_id: CapsuleId
    job_id: JobId

    gatekeepers: LocalGatekeepers | None = None

    @property
    def local(self) -> LocalGatekeepers:
        """The in-process gatekeepers (when the world has them)."""
        assert self.gatekeepers is not None
        return self.gatekeepers

    def client(self, endpoints: list[GatekeeperEndpoint] | None = None) -> SyncGatekeeperClient:
        return SyncGatekeeperClient(endpoints or self.endpoints, self.devnet.deployment, timeout=30)

    def public_shares(self) -> dict[int, Point]:
        shares = self.devnet.network(0).gatekeepers.public_shares()
        return {i: Point.from_xy(*xy) for i, xy in enumerate(shares, start=1)}

    def capsule_key(
        self, client: SyncGatekeeperClient, worker: Worker | None = None, **changes: object
    ):  # type: ignore[no-untyped-def]
        worker = worker or self.worker
        arguments: dict[str, object] = {
            "job_id": self.job_id,
            "capsule_id": self.capsule_id,
            "enclave_key": worker.enclave_key,
            "x25519": worker.x25519,
            "capsule_r": self.capsule_r,
            "public_shares": self.public_shares(),
            "threshold": 2,
        }
        arguments.update(changes)
        return client.capsule_key(**arguments)

    def settle(self) -> None:
        keeper = self.devnet.network(KEEPER)
        results = [JobResult(self.job_id, keccak(b"result"), "blob://result")]
        digest = batch_digest(keeper.jobs.domain(), self.worker.address, results)
        keeper.jobs.settle(
            self.worker.address, results, sign_digest(self.worker.enclave_key, digest)
        )


def register(
    world_devnet: DevNetwork, worker: Worker, bundle: CertificateBundle, model_id: ModelId
) -> None:
    operator = world_devnet.network(OPERATOR)
    bond = operator.workers.min_bond()
    operator.token.approve(operator.workers.address, bond)
    operator.workers.register(
        bundle.certificate, list(bundle.signatures), "http://127.0.0.1:1", 0, [model_id], bond
    )


def prepare(backend: ChainBackend) -> tuple[DevNetwork, SimulatedPlatform, SimulatedProvider]:
    """A development network with funded accounts and a simulated worker measurement allowed."""
    devnet = deploy_dev_network(backend, gatekeepers=3, threshold=2)
    admin = devnet.network(0)
    for index in (OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER):
        admin.token.transfer(backend.accounts[index].address, 10_000 * TOKEN)
    platform = SimulatedPlatform.generate()
    provider = SimulatedProvider({"role": "gatekeeper test worker"}, platform=platform)
    admin.policy.set_measurement(TeeKind.SIMULATED, provider.measurement(), True)
    return devnet, platform, provider


def populate(
    devnet: DevNetwork,
    endpoints: list[GatekeeperEndpoint],
    platform: SimulatedPlatform,
    provider: SimulatedProvider,
) -> World:
    """With the network key published: two certified workers, two capsules, a job."""
    network_key = Point.from_xy(*devnet.network(0).gatekeepers.network_key())
    model_owner = devnet.network(MODEL_OWNER)
    model_id = model_owner.models.register("risk", "1.0", keccak(b"onnx"), "onnx", "blob://m", 0)
    devnet.network(0).models.verify(model_id)

    worker = Worker(keccak(b"gatekeeper-test enclave"), provider)
    other = Worker(keccak(b"gatekeeper-test other enclave"), provider)
    operator = devnet.sender(OPERATOR).address
    with SyncGatekeeperClient(endpoints, devnet.deployment, timeout=30) as client:
        bundle = client.request_certificate(worker.certify_request(devnet, operator), 2)
        register(devnet, worker, bundle, model_id)
        other_bundle = client.request_certificate(other.certify_request(devnet, operator), 2)
        register(devnet, other, other_bundle, model_id)

    capsules = devnet.network(CAPSULE_OWNER).capsules
    # The key's context names the capsule by its R, known before registration.
    chain_id = devnet.deployment.chain_id
    capsule_r, data_key, _ = seal_capsule_key(network_key, chain_id, capsules.address)
    capsule_id = capsules.register(keccak(b"ciphertext"), "blob://c", capsule_r.xy, [model_id])
    other_r, _, _ = seal_capsule_key(network_key, chain_id, capsules.address)
    other_capsule = capsules.register(keccak(b"other"), "blob://o", other_r.xy, [model_id])

    requester = devnet.network(REQUESTER)
    requester.token.approve(requester.jobs.address, 100 * TOKEN)
    job_id = requester.jobs.submit(
        JobRequest(
            worker=worker.address,
            model_id=model_id,
            input_hash=keccak(b"input"),
            input_uri="blob://input",
            result_key=keccak(b"result key"),
            max_fee=100 * TOKEN,
            deadline=devnet.now() + 3_600,
            capsule_ids=(capsule_id,),
        )
    )
    return World(
        devnet,
        endpoints,
        platform,
        model_id,
        worker,
        other,
        bundle,
        capsule_id,
        capsule_r,
        data_key,
        other_capsule,
        job_id,
    )


def build_world(
    data_dir: Path, node_classes: Mapping[int, type[GatekeeperNode]] | None = None
) -> World:
    """Everything on an in-process chain, with the gatekeepers served from this process."""
    devnet, platform, provider = prepare(EmbeddedChain())
    gatekeepers = LocalGatekeepers(
        devnet,
        data_dir,
        node_classes=node_classes,
        simulated_platform_keys=[platform.public_key_bytes],
    )
    gatekeepers.start()
    gatekeepers.run_dkg()
    world = populate(devnet, gatekeepers.endpoints, platform, provider)
    world.gatekeepers = gatekeepers
    return world
