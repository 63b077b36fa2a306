"""titanoboa fixtures: the whole contract set deployed and wired, plus signing helpers.

The boa pytest plugin anchors every test, so state changes made by one test are undone before
the next; the module-scoped deployment is shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import boa
import boa.interpret
import coincurve
import pytest
from eth_utils import keccak

from veritee.chain.compiler import contracts_dir
from veritee.crypto.typed_data import (
    Certificate,
    Domain,
    JobResult,
    address_of,
    batch_digest,
    certificate_digest,
    sign_digest,
)

boa.interpret.set_search_paths([str(contracts_dir())])

TOKEN = 10**18
DAY = 86_400
MIN_BOND = 100 * TOKEN
UNBONDING_DELAY = 7 * DAY
MAX_LIFETIME = 30 * DAY
PROTOCOL_FEE_BPS = 500
SLASH_AMOUNT = 50 * TOKEN
SLASHER_REWARD_BPS = 1_000
MAX_JOB_DURATION = DAY
MAX_CALLBACK_GAS = 500_000
MEASUREMENT = keccak(b"veritee-worker-measurement")
KIND_SIMULATED, KIND_TDX = 0, 1

# A secp256k1 point (the generator G) and 2G: valid curve points for R and keys.
G = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)


def private_key(label: str) -> bytes:
    """A deterministic test private key."""
    return keccak(text=f"veritee-test-key:{label}")


def point(label: str) -> tuple[int, int]:
    """A deterministic secp256k1 point (the public key of a labelled key)."""
    raw = coincurve.PrivateKey(private_key(label)).public_key.format(compressed=False)
    return int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")


@dataclass
class System:
    """The deployed, wired contract set and the actors around it."""

    token: Any
    gatekeepers: Any
    policy: Any
    workers: Any
    models: Any
    capsules: Any
    jobs: Any
    owner: str
    treasury: str
    verifier: str
    gatekeeper_keys: list[bytes]
    actors: dict[str, str] = field(default_factory=dict)

    # --- domains -------------------------------------------------------------------------
    def domain(self, contract: Any, name: str) -> Domain:
        return Domain(name, "1", boa.env.evm.patch.chain_id, str(contract.address))

    # --- tokens --------------------------------------------------------------------------
    def fund(self, account: str, amount: int) -> None:
        with boa.env.prank(self.owner):
            self.token.transfer(account, amount)

    def approve(self, account: str, spender: Any, amount: int) -> None:
        with boa.env.prank(account):
            self.token.approve(spender.address, amount)

    # --- workers -------------------------------------------------------------------------
    def certificate(self, enclave_key: bytes, operator: str, **overrides: Any) -> Certificate:
        now = boa.env.evm.patch.timestamp
        fields: dict[str, Any] = {
            "enclave": address_of(enclave_key),
            "operator": operator,
            "x25519_key": keccak(b"x25519:" + enclave_key),
            "measurement": MEASUREMENT,
            "tee_kind": KIND_SIMULATED,
            "tcb_status": 0,
            "quote_hash": keccak(b"quote:" + enclave_key),
            "issued_at": now,
            "expiry": now + 7 * DAY,
        }
        fields.update(overrides)
        return Certificate(**fields)

    def sign_certificate(
        self, certificate: Certificate, keys: Sequence[bytes] | None = None
    ) -> list[bytes]:
        keys = list(self.gatekeeper_keys[:2] if keys is None else keys)
        digest = certificate_digest(self.domain(self.workers, "veritee Workers"), certificate)
        keys.sort(key=lambda k: int(address_of(k), 16))
        return [sign_digest(k, digest) for k in keys]

    def register_worker(
        self,
        label: str = "worker",
        *,
        operator: str | None = None,
        models: Sequence[int] = (),
        price: int = 10 * TOKEN,
        bond: int = MIN_BOND,
        endpoint: str = "http://127.0.0.1:9000",
    ) -> tuple[str, bytes]:
        """Registers a certified worker; returns its enclave address and key."""
        enclave_key = private_key(f"enclave:{label}")
        operator = operator or self.actor(f"operator:{label}")
        certificate = self.certificate(enclave_key, operator)
        signatures = self.sign_certificate(certificate)
        self.fund(operator, bond)
        self.approve(operator, self.workers, bond)
        with boa.env.prank(operator):
            self.workers.register(
                certificate.as_tuple(), signatures, endpoint, price, list(models), bond
            )
        return certificate.enclave, enclave_key

    # --- models and capsules -------------------------------------------------------------
    def register_model(self, owner: str | None = None, price: int = 20 * TOKEN) -> int:
        owner = owner or self.actor("model-owner")
        with boa.env.prank(owner):
            model_id = self.models.register(
                "risk", "1.0", keccak(b"artifact"), "onnx", "blob://artifact", price
            )
        with boa.env.prank(self.verifier):
            self.models.verify(model_id)
        return int(model_id)

    def register_capsule(
        self,
        owner: str | None = None,
        *,
        label: str = "capsule",
        allowed_models: Sequence[int] = (),
        price: int = 5 * TOKEN,
        max_uses: int = 0,
        expiry: int = 0,
    ) -> int:
        owner = owner or self.actor("capsule-owner")
        with boa.env.prank(owner):
            return int(
                self.capsules.register(
                    keccak(text=f"ciphertext:{label}"),
                    f"blob://{label}",
                    point(f"R:{label}"),
                    list(allowed_models),
                    price,
                    max_uses,
                    expiry,
                )
            )

    # --- jobs ----------------------------------------------------------------------------
    def request(self, worker: str, model_id: int, **overrides: Any) -> tuple[Any, ...]:
        now = boa.env.evm.patch.timestamp
        fields: dict[str, Any] = {
            "worker": worker,
            "model_id": model_id,
            "capsule_ids": [],
            "input_hash": keccak(b"input"),
            "input_uri": "blob://input",
            "result_key": keccak(b"result-key"),
            "max_fee": 100 * TOKEN,
            "deadline": now + 3_600,
            "callback": "0x" + "00" * 20,
            "callback_gas_limit": 0,
        }
        fields.update(overrides)
        return tuple(fields.values())

    def submit(self, requester: str, worker: str, model_id: int, **overrides: Any) -> int:
        request = self.request(worker, model_id, **overrides)
        max_fee = request[6]
        self.fund(requester, max_fee)
        self.approve(requester, self.jobs, max_fee)
        with boa.env.prank(requester):
            return int(self.jobs.submit(request))

    def sign_batch(self, enclave_key: bytes, results: Sequence[JobResult]) -> bytes:
        digest = batch_digest(
            self.domain(self.jobs, "veritee Jobs"), address_of(enclave_key), results
        )
        return sign_digest(enclave_key, digest)

    def settle(
        self, enclave_key: bytes, results: Sequence[JobResult], sender: str | None = None
    ) -> None:
        signature = self.sign_batch(enclave_key, results)
        with boa.env.prank(sender or self.actor("relayer")):
            self.jobs.settle(address_of(enclave_key), [r.as_tuple() for r in results], signature)

    def actor(self, name: str) -> str:
        if name not in self.actors:
            self.actors[name] = address_of(private_key(f"actor:{name}"))
        return self.actors[name]


_deployers: dict[str, Any] = {}


def load(name: str, *args: Any) -> Any:
    """Deploys contract ``name``, compiling it at most once per test process."""
    if name not in _deployers:
        _deployers[name] = boa.load_partial(str(contracts_dir() / f"{name}.vy"))
    return _deployers[name].deploy(*args)


def deploy_system() -> System:
    """Deploys and wires every contract the way `veritee.chain.deploy` does."""
    owner = boa.env.generate_address("owner")
    treasury = boa.env.generate_address("treasury")
    verifier = boa.env.generate_address("verifier")
    gatekeeper_keys = [private_key(f"gatekeeper:{i}") for i in range(3)]
    with boa.env.prank(owner):
        token = load("Token", "veritee", "VRT", 10**9 * TOKEN, owner)
        gatekeepers = load("Gatekeepers", [address_of(k) for k in gatekeeper_keys], 2)
        policy = load("TeePolicy", True, MAX_LIFETIME)
        policy.set_measurement(KIND_SIMULATED, MEASUREMENT, True)
        workers = load(
            "Workers",
            token.address,
            gatekeepers.address,
            policy.address,
            MIN_BOND,
            UNBONDING_DELAY,
        )
        models = load("Models")
        capsules = load("Capsules")
        jobs = load(
            "Jobs",
            token.address,
            workers.address,
            models.address,
            capsules.address,
            treasury,
            PROTOCOL_FEE_BPS,
            SLASH_AMOUNT,
            SLASHER_REWARD_BPS,
            MAX_JOB_DURATION,
            MAX_CALLBACK_GAS,
        )
        workers.set_jobs(jobs.address)
        capsules.set_jobs(jobs.address)
        models.set_verifier(verifier, True)
    return System(
        token=token,
        gatekeepers=gatekeepers,
        policy=policy,
        workers=workers,
        models=models,
        capsules=capsules,
        jobs=jobs,
        owner=owner,
        treasury=treasury,
        verifier=verifier,
        gatekeeper_keys=gatekeeper_keys,
    )


@pytest.fixture(scope="module")
def system() -> System:
    return deploy_system()
