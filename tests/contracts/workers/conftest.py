"""Fixtures and helpers for the Workers tests.

The whole contract set is deployed once for this directory, from contracts compiled once per
process; the boa plugin still rolls every test back to that deployment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import boa
import pytest

from tests.contracts.conftest import MIN_BOND, TOKEN, System, private_key
from tests.contracts.deployment_cache import deploy_system_cached
from veritee.crypto.typed_data import Certificate


@pytest.fixture(scope="session")
def system() -> System:
    return deploy_system_cached()


@dataclass
class Registration:
    """A signed certificate, ready to be presented by its operator."""

    certificate: Certificate
    signatures: list[bytes]
    operator: str
    enclave_key: bytes

    @property
    def worker(self) -> str:
        return self.certificate.enclave


def prepare(
    system: System,
    label: str = "worker",
    *,
    operator: str | None = None,
    keys: Sequence[bytes] | None = None,
    bond: int = MIN_BOND,
    **overrides: Any,
) -> Registration:
    """A certificate for enclave `label` signed by `keys`, its operator funded and approved."""
    enclave_key = private_key(f"enclave:{label}")
    operator = operator or system.actor(f"operator:{label}")
    certificate = system.certificate(enclave_key, operator, **overrides)
    signatures = system.sign_certificate(certificate, keys)
    system.fund(operator, bond)
    system.approve(operator, system.workers, bond)
    return Registration(certificate, signatures, operator, enclave_key)


def register(
    system: System,
    registration: Registration,
    *,
    sender: str | None = None,
    endpoint: str = "http://127.0.0.1:9000",
    price: int = 10 * TOKEN,
    models: Sequence[int] = (),
    bond: int = MIN_BOND,
) -> None:
    """Presents `registration` to `Workers.register` as `sender` (its operator by default)."""
    with boa.env.prank(sender or registration.operator):
        system.workers.register(
            registration.certificate.as_tuple(),
            registration.signatures,
            endpoint,
            price,
            list(models),
            bond,
        )


def renewal(
    system: System,
    registration: Registration,
    keys: Sequence[bytes] | None = None,
    **overrides: Any,
) -> tuple[Certificate, list[bytes]]:
    """A fresh certificate for the same enclave, issued now, signed by `keys`."""
    certificate = system.certificate(registration.enclave_key, registration.operator, **overrides)
    return certificate, system.sign_certificate(certificate, keys)


def now() -> int:
    """The current block timestamp."""
    return int(boa.env.evm.patch.timestamp)


def events(contract: Any, name: str) -> list[Any]:
    """The `name` events that `contract` itself emitted during its last call."""
    return [
        log
        for log in contract.get_logs()
        if type(log).__name__ == name and log.address == contract.address
    ]


@pytest.fixture
def registration(system: System) -> Registration:
    """A worker registered with the default certificate, serving models 1 and 2."""
    registration = prepare(system)
    register(system, registration, models=[1, 2])
    return registration


@pytest.fixture
def worker(registration: Registration) -> str:
    return registration.worker


@pytest.fixture
def operator(registration: Registration) -> str:
    return registration.operator
