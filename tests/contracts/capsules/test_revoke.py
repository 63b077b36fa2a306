"""Capsules.revoke: the owner withdraws a capsule for good."""

import boa

from tests.contracts.capsules.conftest import events, record_use, release, reserve
from tests.contracts.conftest import System


def revoke(system: System, sender: str, capsule_id: int) -> None:
    with boa.env.prank(sender):
        system.capsules.revoke(capsule_id)


def test_default_behavior(system: System, owner: str, capsule_id: int) -> None:
    revoke(system, owner, capsule_id)
    (revoked,) = events(system.capsules, "CapsuleRevoked")
    assert revoked.capsule_id == capsule_id
    assert system.capsules.capsules(capsule_id).revoked is True
    with boa.reverts("Capsules: capsule revoked"):
        system.capsules.check_use(capsule_id, 1)
    with boa.env.prank(system.jobs.address), boa.reverts("Capsules: capsule revoked"):
        system.capsules.reserve(capsule_id, 1)


def test_final(system: System, owner: str, capsule_id: int) -> None:
    revoke(system, owner, capsule_id)
    with boa.reverts("Capsules: capsule revoked"):
        revoke(system, owner, capsule_id)
    with boa.env.prank(owner), boa.reverts("Capsules: capsule revoked"):
        system.capsules.update_policy(capsule_id, [], 0, 0, 0)
    assert system.capsules.capsules(capsule_id).revoked is True


def test_reservations_made_before_still_settle(system: System, owner: str, capsule_id: int) -> None:
    reserve(system, capsule_id)
    reserve(system, capsule_id)
    revoke(system, owner, capsule_id)
    assert record_use(system, capsule_id) == owner
    release(system, capsule_id)
    capsule = system.capsules.capsules(capsule_id)
    assert (capsule.uses, capsule.pending) == (1, 0)


def test_role_access(system: System, capsule_id: int) -> None:
    for caller in (system.owner, system.jobs.address, system.actor("stranger")):
        with boa.reverts("Capsules: caller is not the capsule owner"):
            revoke(system, caller, capsule_id)
    assert system.capsules.capsules(capsule_id).revoked is False


def test_unknown_capsule(system: System, owner: str) -> None:
    with boa.reverts("Capsules: unknown capsule"):
        revoke(system, owner, 1)
