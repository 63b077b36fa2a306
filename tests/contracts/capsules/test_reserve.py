"""Capsules.reserve: Jobs books one use of a capsule for a submitted job."""

import boa

from tests.contracts.capsules.conftest import (
    events,
    now,
    register,
    release,
    reserve,
    update_policy,
)
from tests.contracts.conftest import DAY, TOKEN, System


def test_default_behavior(system: System, owner: str, capsule_id: int) -> None:
    assert reserve(system, capsule_id, 1) == (owner, 5 * TOKEN)
    (reserved,) = events(system.capsules, "UseReserved")
    assert (reserved.capsule_id, reserved.pending) == (capsule_id, 1)
    capsule = system.capsules.capsules(capsule_id)
    assert (capsule.uses, capsule.pending) == (0, 1)
    assert reserve(system, capsule_id, 2) == (owner, 5 * TOKEN)
    assert system.capsules.capsules(capsule_id).pending == 2


def test_current_price(system: System, owner: str, capsule_id: int) -> None:
    update_policy(system, owner, capsule_id, price=8 * TOKEN)
    assert reserve(system, capsule_id) == (owner, 8 * TOKEN)


def test_role_access(system: System, owner: str, capsule_id: int) -> None:
    for caller in (owner, system.owner, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("Capsules: caller is not Jobs"):
            system.capsules.reserve(capsule_id, 1)
    assert system.capsules.capsules(capsule_id).pending == 0


def test_unknown_capsule(system: System) -> None:
    with boa.reverts("Capsules: unknown capsule"):
        reserve(system, 1)


def test_revoked(system: System, owner: str, capsule_id: int) -> None:
    with boa.env.prank(owner):
        system.capsules.revoke(capsule_id)
    with boa.reverts("Capsules: capsule revoked"):
        reserve(system, capsule_id)


def test_expired(system: System, owner: str) -> None:
    capsule_id = register(system, owner, expiry=now() + DAY)
    boa.env.time_travel(seconds=DAY)
    with boa.reverts("Capsules: capsule expired"):
        reserve(system, capsule_id)


def test_used_up_counts_pending_reservations(system: System, owner: str) -> None:
    capsule_id = register(system, owner, max_uses=2)
    reserve(system, capsule_id)
    reserve(system, capsule_id)
    with boa.reverts("Capsules: capsule used up"):
        reserve(system, capsule_id)
    release(system, capsule_id)  # a failed job gives its use back
    reserve(system, capsule_id)
    assert system.capsules.capsules(capsule_id).pending == 2


def test_model_not_allowed(system: System, owner: str) -> None:
    capsule_id = register(system, owner, allowed_models=[3])
    with boa.reverts("Capsules: model not allowed"):
        reserve(system, capsule_id, 4)
    reserve(system, capsule_id, 3)
    assert system.capsules.capsules(capsule_id).pending == 1


def test_through_jobs(system: System, owner: str) -> None:
    model_id = system.register_model()
    capsule_id = register(system, owner, max_uses=1)
    worker, _ = system.register_worker(models=[model_id])
    system.submit(system.actor("requester"), worker, model_id, capsule_ids=[capsule_id])
    assert system.capsules.capsules(capsule_id).pending == 1
    with boa.reverts("Capsules: capsule used up"):
        system.submit(system.actor("requester"), worker, model_id, capsule_ids=[capsule_id])
