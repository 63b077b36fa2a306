"""Capsules.update_policy: the owner replaces a capsule's access policy."""

import boa
import pytest

from tests.contracts.capsules.conftest import (
    events,
    now,
    record_use,
    register,
    reserve,
    update_policy,
)
from tests.contracts.conftest import DAY, TOKEN, System


def test_default_behavior(system: System, owner: str) -> None:
    capsule_id = register(system, owner, allowed_models=[1, 2], max_uses=3)
    update_policy(
        system,
        owner,
        capsule_id,
        allowed_models=[2, 7],
        price=9 * TOKEN,
        max_uses=10,
        expiry=now() + DAY,
    )
    (updated,) = events(system.capsules, "PolicyUpdated")
    assert updated.capsule_id == capsule_id
    assert list(updated.allowed_models) == [2, 7]
    assert updated.price == 9 * TOKEN
    assert updated.max_uses == 10
    assert updated.expiry == now() + DAY

    capsule = system.capsules.capsules(capsule_id)
    assert capsule.price == 9 * TOKEN
    assert capsule.max_uses == 10
    assert capsule.expiry == now() + DAY
    assert capsule.owner == owner
    assert system.capsules.allowed_models(capsule_id) == [2, 7]
    # The old list is replaced, not merged.
    assert not system.capsules.allows_model(capsule_id, 1)
    assert system.capsules.allows_model(capsule_id, 2)
    assert system.capsules.allows_model(capsule_id, 7)


def test_open_to_any_model(system: System, owner: str) -> None:
    capsule_id = register(system, owner, allowed_models=[1])
    update_policy(system, owner, capsule_id, allowed_models=[])
    assert system.capsules.allowed_models(capsule_id) == []
    assert not system.capsules.allows_model(capsule_id, 1)
    assert system.capsules.check_use(capsule_id, 42)


def test_role_access(system: System, capsule_id: int) -> None:
    for caller in (system.owner, system.jobs.address, system.actor("stranger")):
        with boa.reverts("Capsules: caller is not the capsule owner"):
            update_policy(system, caller, capsule_id, price=0)
    assert system.capsules.capsules(capsule_id).price == 5 * TOKEN


def test_unknown_capsule(system: System, owner: str) -> None:
    with boa.reverts("Capsules: unknown capsule"):
        update_policy(system, owner, 1)


def test_revoked(system: System, owner: str, capsule_id: int) -> None:
    with boa.env.prank(owner):
        system.capsules.revoke(capsule_id)
    with boa.reverts("Capsules: capsule revoked"):
        update_policy(system, owner, capsule_id)


def test_max_uses_below_uses_made(system: System, owner: str) -> None:
    capsule_id = register(system, owner, max_uses=5)
    reserve(system, capsule_id)
    record_use(system, capsule_id)  # one use made
    reserve(system, capsule_id)  # one use reserved
    with boa.reverts("Capsules: max uses below uses made"):
        update_policy(system, owner, capsule_id, max_uses=1)
    update_policy(system, owner, capsule_id, max_uses=2)
    assert system.capsules.capsules(capsule_id).max_uses == 2
    with boa.reverts("Capsules: capsule used up"):
        system.capsules.check_use(capsule_id, 1)
    update_policy(system, owner, capsule_id, max_uses=0)  # unlimited is always allowed
    assert system.capsules.check_use(capsule_id, 1)


@pytest.mark.parametrize("offset", [0, -1])
def test_expiry_in_the_past(system: System, owner: str, capsule_id: int, offset: int) -> None:
    with boa.reverts("Capsules: expiry in the past"):
        update_policy(system, owner, capsule_id, expiry=now() + offset)


def test_extend_an_expired_capsule(system: System, owner: str) -> None:
    capsule_id = register(system, owner, expiry=now() + DAY)
    boa.env.time_travel(seconds=DAY)
    with boa.reverts("Capsules: capsule expired"):
        system.capsules.check_use(capsule_id, 1)
    update_policy(system, owner, capsule_id, expiry=now() + DAY)
    assert system.capsules.check_use(capsule_id, 1)
    update_policy(system, owner, capsule_id, expiry=0)
    boa.env.time_travel(seconds=365 * DAY)
    assert system.capsules.check_use(capsule_id, 1)
