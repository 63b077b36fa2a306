"""Capsules.check_use: may a job with this model use the capsule now? Reverts naming why not."""

import boa
import pytest

from tests.contracts.capsules.conftest import now, record_use, register, release, reserve
from tests.contracts.conftest import DAY, System


@pytest.mark.parametrize("model_id", [0, 1, 2**256 - 1])
def test_default_behavior(system: System, capsule_id: int, model_id: int) -> None:
    # An empty allow-list admits any model.
    assert system.capsules.check_use(capsule_id, model_id) is True


def test_unknown_capsule(system: System, capsule_id: int) -> None:
    for missing in (0, capsule_id + 1):
        with boa.reverts("Capsules: unknown capsule"):
            system.capsules.check_use(missing, 1)


def test_revoked(system: System, owner: str, capsule_id: int) -> None:
    with boa.env.prank(owner):
        system.capsules.revoke(capsule_id)
    with boa.reverts("Capsules: capsule revoked"):
        system.capsules.check_use(capsule_id, 1)


def test_expired(system: System, owner: str) -> None:
    capsule_id = register(system, owner, expiry=now() + DAY)
    boa.env.time_travel(seconds=DAY - 1)
    assert system.capsules.check_use(capsule_id, 1)
    boa.env.time_travel(seconds=1)  # the expiry second itself is already too late
    with boa.reverts("Capsules: capsule expired"):
        system.capsules.check_use(capsule_id, 1)


def test_used_up(system: System, owner: str) -> None:
    capsule_id = register(system, owner, max_uses=2)
    reserve(system, capsule_id)
    record_use(system, capsule_id)
    assert system.capsules.check_use(capsule_id, 1)
    reserve(system, capsule_id)  # a pending reservation counts like a use
    with boa.reverts("Capsules: capsule used up"):
        system.capsules.check_use(capsule_id, 1)
    release(system, capsule_id)
    assert system.capsules.check_use(capsule_id, 1)


def test_unlimited_uses(system: System, capsule_id: int) -> None:
    for _ in range(5):
        reserve(system, capsule_id)
        record_use(system, capsule_id)
    assert system.capsules.capsules(capsule_id).uses == 5
    assert system.capsules.check_use(capsule_id, 1)


def test_model_not_allowed(system: System, owner: str) -> None:
    capsule_id = register(system, owner, allowed_models=[3, 5])
    assert system.capsules.check_use(capsule_id, 3)
    assert system.capsules.check_use(capsule_id, 5)
    for model_id in (0, 4, 6):
        with boa.reverts("Capsules: model not allowed"):
            system.capsules.check_use(capsule_id, model_id)


def test_revocation_reported_before_other_reasons(system: System, owner: str) -> None:
    capsule_id = register(system, owner, allowed_models=[3], max_uses=1, expiry=now() + DAY)
    reserve(system, capsule_id, 3)
    with boa.env.prank(owner):
        system.capsules.revoke(capsule_id)
    boa.env.time_travel(seconds=DAY)
    with boa.reverts("Capsules: capsule revoked"):
        system.capsules.check_use(capsule_id, 4)
