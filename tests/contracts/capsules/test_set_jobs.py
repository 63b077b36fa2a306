"""Capsules.set_jobs: governance names the only contract that counts uses."""

import boa

from tests.contracts.capsules.conftest import events
from tests.contracts.conftest import System

ZERO_ADDRESS = "0x" + "00" * 20


def test_default_behavior(system: System, capsule_id: int) -> None:
    assert system.capsules.jobs() == system.jobs.address
    successor = system.actor("jobs-v2")
    with boa.env.prank(system.owner):
        system.capsules.set_jobs(successor)
    (updated,) = events(system.capsules, "JobsContractSet")
    assert updated.jobs == successor
    assert system.capsules.jobs() == successor
    with boa.env.prank(system.jobs.address), boa.reverts("Capsules: caller is not Jobs"):
        system.capsules.reserve(capsule_id, 1)
    with boa.env.prank(successor):
        system.capsules.reserve(capsule_id, 1)
    assert system.capsules.capsules(capsule_id).pending == 1


def test_role_access(system: System, owner: str) -> None:
    for caller in (owner, system.jobs.address, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("ownable: caller is not the owner"):
            system.capsules.set_jobs(caller)
    assert system.capsules.jobs() == system.jobs.address


def test_zero_address(system: System) -> None:
    with boa.env.prank(system.owner), boa.reverts("Capsules: zero address"):
        system.capsules.set_jobs(ZERO_ADDRESS)
