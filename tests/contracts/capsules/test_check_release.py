"""Capsules.check_release: may a capsule's key be released for a job already holding a use?"""

import boa

from tests.contracts.capsules.conftest import now, register, reserve, update_policy
from tests.contracts.conftest import DAY, System


def test_default_behavior(system: System, owner: str) -> None:
    capsule_id = register(system, owner, allowed_models=[1], max_uses=1)
    reserve(system, capsule_id, 1)
    # The job's own reservation fills max_uses: new jobs are refused, its key release is not.
    with boa.reverts("Capsules: capsule used up"):
        system.capsules.check_use(capsule_id, 1)
    assert system.capsules.check_release(capsule_id, 1)


def test_unknown_capsule(system: System) -> None:
    with boa.reverts("Capsules: unknown capsule"):
        system.capsules.check_release(999, 1)


def test_revoked(system: System, owner: str, capsule_id: int) -> None:
    with boa.env.prank(owner):
        system.capsules.revoke(capsule_id)
    with boa.reverts("Capsules: capsule revoked"):
        system.capsules.check_release(capsule_id, 1)


def test_expired(system: System, owner: str) -> None:
    capsule_id = register(system, owner, expiry=now() + DAY)
    assert system.capsules.check_release(capsule_id, 1)
    boa.env.time_travel(seconds=DAY)
    with boa.reverts("Capsules: capsule expired"):
        system.capsules.check_release(capsule_id, 1)


def test_model_not_allowed(system: System, owner: str, capsule_id: int) -> None:
    update_policy(system, owner, capsule_id, allowed_models=[2])
    with boa.reverts("Capsules: model not allowed"):
        system.capsules.check_release(capsule_id, 1)
    assert system.capsules.check_release(capsule_id, 2)
