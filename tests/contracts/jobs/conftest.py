"""Fixtures and helpers for the `Jobs` tests: a registered market, event lookup, signing.

The contract set is deployed once per session (deploying takes seconds) and handed to every
module as `system`; the boa plugin anchors each fixture, so whatever a module does to it is rolled
back when the module ends. `market` is module-scoped too: the model, capsule and workers it
registers persist across a test module, while each test's own changes are rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from tests.contracts.conftest import (
    MIN_BOND,
    PROTOCOL_FEE_BPS,
    TOKEN,
    System,
    deploy_system,
    private_key,
)
from veritee.crypto.typed_data import JobResult, address_of, batch_digest, sign_digest

MODEL_PRICE = 20 * TOKEN
CAPSULE_PRICE = 5 * TOKEN
WORKER_PRICE = 10 * TOKEN
MAX_FEE = 100 * TOKEN
ZERO_ADDRESS = "0x" + "00" * 20
RESULT_HASH = keccak(b"result")
RESULT_URI = "blob://result"

STATUS_UNKNOWN, STATUS_PENDING, STATUS_SETTLED, STATUS_FAILED, STATUS_EXPIRED = range(5)

# secp256k1 group order: (r, n - s) with the other parity is the malleable twin of (r, s).
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

_PERMIT_TYPEHASH = keccak(
    text="Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
)


def price_of(
    model_fee: int = MODEL_PRICE,
    capsule_fees: Sequence[int] = (),
    worker_fee: int = WORKER_PRICE,
    bps: int = PROTOCOL_FEE_BPS,
) -> int:
    """The job price: model + capsules + worker, plus the protocol fee on that subtotal."""
    subtotal = model_fee + sum(capsule_fees) + worker_fee
    return subtotal + subtotal * bps // 10_000


def events(contract: Any, name: str) -> list[Any]:
    """The decoded logs named `name` from `contract`'s last call (child calls included)."""
    return [log for log in contract.get_logs() if type(log).__name__ == name]


def single_event(contract: Any, name: str) -> Any:
    """The one log named `name` from `contract`'s last call."""
    found = events(contract, name)
    assert len(found) == 1, f"expected one {name}, got {found}"
    return found[0]


def assert_conserved(system: System) -> None:
    """Every token Jobs holds is either escrowed or owed to someone."""
    jobs = system.jobs
    assert system.token.balanceOf(jobs.address) == jobs.escrowed() + jobs.total_claimable()


def actor_key(name: str) -> bytes:
    """The private key behind `System.actor(name)`."""
    return private_key(f"actor:{name}")


def sign_permit(
    system: System, owner_name: str, spender: str, value: int, deadline: int
) -> tuple[int, bytes, bytes]:
    """An EIP-2612 permit (v, r, s) signed by the actor `owner_name` at its current nonce."""
    owner = system.actor(owner_name)
    struct_hash = keccak(
        encode(
            ["bytes32", "address", "address", "uint256", "uint256", "uint256"],
            [_PERMIT_TYPEHASH, owner, spender, value, system.token.nonces(owner), deadline],
        )
    )
    digest = keccak(b"\x19\x01" + system.token.DOMAIN_SEPARATOR() + struct_hash)
    signature = sign_digest(actor_key(owner_name), digest)
    return signature[64], signature[:32], signature[32:64]


@dataclass
class Market:
    """A verified model, a capsule and two certified workers serving the model."""

    system: System
    model_id: int
    capsule_id: int
    worker: str
    key: bytes
    other_worker: str
    other_key: bytes

    @property
    def jobs(self) -> Any:
        return self.system.jobs

    @property
    def requester(self) -> str:
        return self.system.actor("requester")

    @property
    def model_owner(self) -> str:
        return self.system.actor("model-owner")

    @property
    def capsule_owner(self) -> str:
        return self.system.actor("capsule-owner")

    @property
    def operator(self) -> str:
        return self.system.actor("operator:worker")

    def submit(self, requester: str | None = None, **overrides: Any) -> int:
        """Funds, approves and submits a job for `worker` and the model."""
        overrides.setdefault("worker", self.worker)
        worker = overrides.pop("worker")
        return self.system.submit(requester or self.requester, worker, self.model_id, **overrides)

    def request(self, **overrides: Any) -> tuple[Any, ...]:
        overrides.setdefault("worker", self.worker)
        worker = overrides.pop("worker")
        return self.system.request(worker, self.model_id, **overrides)

    def result(self, job_id: int, status: int = 0, **overrides: Any) -> JobResult:
        fields: dict[str, Any] = {"result_hash": RESULT_HASH, "result_uri": RESULT_URI}
        fields.update(overrides)
        return JobResult(job_id, fields["result_hash"], fields["result_uri"], status)

    def digest(self, worker: str, results: Sequence[JobResult]) -> bytes:
        return batch_digest(self.system.domain(self.jobs, "veritee Jobs"), worker, results)

    def settle_raw(
        self,
        results: Sequence[JobResult],
        signature: bytes,
        worker: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Calls `settle` with an explicit signature (for tampering tests)."""
        with boa.env.prank(self.system.actor("relayer")):
            self.jobs.settle(
                worker or self.worker, [r.as_tuple() for r in results], signature, **kwargs
            )

    def settle(self, results: Sequence[JobResult], key: bytes | None = None, **kwargs: Any) -> None:
        """Settles `results` signed by the worker's enclave key (or `key`)."""
        key = key or self.key
        signature = self.system.sign_batch(key, results)
        self.settle_raw(results, signature, worker=address_of(key), **kwargs)


def register_short_lived_worker(system: System, model_id: int, lifetime: int) -> tuple[str, bytes]:
    """A worker whose certificate expires `lifetime` seconds from now."""
    key = private_key("enclave:short-lived")
    operator = system.actor("operator:short-lived")
    now = boa.env.evm.patch.timestamp
    certificate = system.certificate(key, operator, expiry=now + lifetime)
    signatures = system.sign_certificate(certificate)
    system.fund(operator, MIN_BOND)
    system.approve(operator, system.workers, MIN_BOND)
    with boa.env.prank(operator):
        system.workers.register(
            certificate.as_tuple(), signatures, "http://w", WORKER_PRICE, [model_id], MIN_BOND
        )
    return certificate.enclave, key


@pytest.fixture(scope="session")
def deployment() -> System:
    return deploy_system()


@pytest.fixture(scope="module")
def system(deployment: System) -> System:
    """The session's deployment; this module's changes to it are undone afterwards."""
    return deployment


@pytest.fixture(scope="module")
def market(system: System) -> Market:
    model_id = system.register_model(price=MODEL_PRICE)
    capsule_id = system.register_capsule(price=CAPSULE_PRICE)
    worker, key = system.register_worker("worker", models=[model_id], price=WORKER_PRICE)
    other_worker, other_key = system.register_worker("other", models=[model_id], price=WORKER_PRICE)
    return Market(system, model_id, capsule_id, worker, key, other_worker, other_key)


@pytest.fixture
def requester(market: Market) -> str:
    """The requester, funded with 1,000 tokens and an unlimited allowance for Jobs."""
    system = market.system
    system.fund(market.requester, 1_000 * TOKEN)
    system.approve(market.requester, system.jobs, 2**256 - 1)
    return market.requester
