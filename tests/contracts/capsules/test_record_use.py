"""Capsules.record_use: Jobs turns a reserved use into a made one when a job settles."""

import boa

from tests.contracts.capsules.conftest import events, record_use, register, reserve
from tests.contracts.conftest import System


def test_default_behavior(system: System, owner: str, capsule_id: int) -> None:
    reserve(system, capsule_id)
    reserve(system, capsule_id)
    with boa.env.prank(system.jobs.address):
        paid = system.capsules.record_use(capsule_id)
    (used,) = events(system.capsules, "CapsuleUsed")
    assert used.capsule_id == capsule_id
    assert used.uses == 1
    assert paid == owner
    capsule = system.capsules.capsules(capsule_id)
    assert (capsule.uses, capsule.pending) == (1, 1)
    record_use(system, capsule_id)
    assert events(system.capsules, "CapsuleUsed")[0].uses == 2


def test_uses_count_against_max_uses(system: System, owner: str) -> None:
    capsule_id = register(system, owner, max_uses=1)
    reserve(system, capsule_id)
    record_use(system, capsule_id)
    with boa.reverts("Capsules: capsule used up"):
        system.capsules.check_use(capsule_id, 1)


def test_role_access(system: System, owner: str, capsule_id: int) -> None:
    reserve(system, capsule_id)
    for caller in (owner, system.owner, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("Capsules: caller is not Jobs"):
            system.capsules.record_use(capsule_id)
    assert system.capsules.capsules(capsule_id).uses == 0


def test_nothing_reserved(system: System, capsule_id: int) -> None:
    with boa.reverts("Capsules: no reserved use"):
        record_use(system, capsule_id)
