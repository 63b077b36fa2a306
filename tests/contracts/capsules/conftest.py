"""Fixtures and helpers for the Capsules tests.

The whole contract set is deployed once for this directory, from contracts compiled once per
process; the boa plugin still rolls every test back to that deployment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import boa
import pytest
from eth_utils import keccak

from tests.contracts.conftest import TOKEN, System, point
from tests.contracts.deployment_cache import deploy_system_cached

# The secp256k1 field prime.
P = 2**256 - 2**32 - 977


@pytest.fixture(scope="session")
def system() -> System:
    return deploy_system_cached()


def register(
    system: System,
    owner: str,
    label: str = "capsule",
    *,
    r: tuple[int, int] | None = None,
    allowed_models: Sequence[int] = (),
    price: int = 5 * TOKEN,
    max_uses: int = 0,
    expiry: int = 0,
    ciphertext_sha256: bytes | None = None,
) -> int:
    """Registers capsule `label` as `owner`; returns its id."""
    with boa.env.prank(owner):
        return int(
            system.capsules.register(
                keccak(text=f"ciphertext:{label}")
                if ciphertext_sha256 is None
                else ciphertext_sha256,
                f"blob://{label}",
                point(f"R:{label}") if r is None else r,
                list(allowed_models),
                price,
                max_uses,
                expiry,
            )
        )


def update_policy(
    system: System,
    sender: str,
    capsule_id: int,
    *,
    allowed_models: Sequence[int] = (),
    price: int = 5 * TOKEN,
    max_uses: int = 0,
    expiry: int = 0,
) -> None:
    with boa.env.prank(sender):
        system.capsules.update_policy(capsule_id, list(allowed_models), price, max_uses, expiry)


def reserve(system: System, capsule_id: int, model_id: int = 1) -> tuple[str, int]:
    """Reserves a use as Jobs; returns (owner, price)."""
    with boa.env.prank(system.jobs.address):
        owner, price = system.capsules.reserve(capsule_id, model_id)
    return str(owner), int(price)


def release(system: System, capsule_id: int) -> None:
    with boa.env.prank(system.jobs.address):
        system.capsules.release(capsule_id)


def record_use(system: System, capsule_id: int) -> str:
    with boa.env.prank(system.jobs.address):
        return str(system.capsules.record_use(capsule_id))


def events(contract: Any, name: str) -> list[Any]:
    """The `name` events that `contract` itself emitted during its last call."""
    return [
        log
        for log in contract.get_logs()
        if type(log).__name__ == name and log.address == contract.address
    ]


def now() -> int:
    return int(boa.env.evm.patch.timestamp)


@pytest.fixture
def owner(system: System) -> str:
    return system.actor("capsule-owner")


@pytest.fixture
def capsule_id(system: System, owner: str) -> int:
    """A capsule any model may use, without limits."""
    return register(system, owner)
