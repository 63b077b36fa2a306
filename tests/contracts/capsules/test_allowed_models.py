"""Capsules.allowed_models: the models a capsule admits (empty: any verified model)."""

from tests.contracts.capsules.conftest import register, update_policy
from tests.contracts.conftest import System


def test_default_behavior(system: System, owner: str) -> None:
    capsule_id = register(system, owner, allowed_models=[4, 2, 9])
    assert system.capsules.allowed_models(capsule_id) == [4, 2, 9]


def test_empty(system: System, capsule_id: int) -> None:
    assert system.capsules.allowed_models(capsule_id) == []


def test_unknown_capsule(system: System) -> None:
    assert system.capsules.allowed_models(1) == []


def test_most_models(system: System, owner: str) -> None:
    models = list(range(1, 17))
    capsule_id = register(system, owner, allowed_models=models)
    assert system.capsules.allowed_models(capsule_id) == models
    update_policy(system, owner, capsule_id, allowed_models=[16])
    assert system.capsules.allowed_models(capsule_id) == [16]
    assert not system.capsules.allows_model(capsule_id, 1)
