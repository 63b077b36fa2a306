"""Fixtures and helpers for the Models tests.

The whole contract set is deployed once for this directory, from contracts compiled once per
process; the boa plugin still rolls every test back to that deployment.
"""

from __future__ import annotations

from typing import Any

import boa
import pytest
from eth_utils import keccak

from tests.contracts.conftest import TOKEN, System
from tests.contracts.deployment_cache import deploy_system_cached

ARTIFACT = keccak(b"artifact:risk-1.0")


@pytest.fixture(scope="session")
def system() -> System:
    return deploy_system_cached()


def model_fields(**overrides: Any) -> dict[str, Any]:
    """Arguments for `Models.register`, with `overrides` applied."""
    fields: dict[str, Any] = {
        "name": "risk",
        "version": "1.0",
        "artifact_sha256": ARTIFACT,
        "format": "onnx",
        "uri": "blob://risk-1.0",
        "price": 20 * TOKEN,
    }
    fields.update(overrides)
    return fields


def register(system: System, owner: str, **overrides: Any) -> int:
    """Registers a first model version as `owner`; returns its id."""
    fields = model_fields(**overrides)
    with boa.env.prank(owner):
        return int(system.models.register(*fields.values()))


def register_version(system: System, owner: str, previous: int, **overrides: Any) -> int:
    """Registers a successor of `previous` as `owner`; returns its id."""
    fields = model_fields(
        version="2.0", artifact_sha256=keccak(b"artifact:risk-2.0"), uri="blob://risk-2.0"
    )
    del fields["name"]
    fields.update(overrides)
    with boa.env.prank(owner):
        return int(system.models.register_version(previous, *fields.values()))


def events(contract: Any, name: str) -> list[Any]:
    """The `name` events that `contract` itself emitted during its last call."""
    return [
        log
        for log in contract.get_logs()
        if type(log).__name__ == name and log.address == contract.address
    ]


@pytest.fixture
def owner(system: System) -> str:
    return system.actor("model-owner")


@pytest.fixture
def model_id(system: System, owner: str) -> int:
    """A registered, not yet verified model."""
    return register(system, owner)


@pytest.fixture
def verified(system: System, model_id: int) -> int:
    """A verified model."""
    with boa.env.prank(system.verifier):
        system.models.verify(model_id)
    return model_id
