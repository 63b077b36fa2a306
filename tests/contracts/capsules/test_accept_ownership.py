"""Capsules.accept_ownership: the pending owner takes over the owner-only setters."""

import boa

from tests.contracts.capsules.conftest import events
from tests.contracts.conftest import System


def test_default_behavior(system: System) -> None:
    governor = system.actor("governor")
    with boa.env.prank(system.owner):
        system.capsules.transfer_ownership(governor)
    with boa.env.prank(governor):
        system.capsules.accept_ownership()
    (transferred,) = events(system.capsules, "OwnershipTransferred")
    assert transferred.previous_owner == system.owner
    assert transferred.new_owner == governor
    assert system.capsules.owner() == governor
    assert system.capsules.pending_owner() == "0x" + "00" * 20
    with boa.env.prank(governor):
        system.capsules.set_jobs(governor)
    assert system.capsules.jobs() == governor
    with boa.env.prank(system.owner), boa.reverts("ownable: caller is not the owner"):
        system.capsules.set_jobs(governor)


def test_role_access(system: System) -> None:
    with boa.env.prank(system.owner):
        system.capsules.transfer_ownership(system.actor("governor"))
    for caller in (system.owner, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("ownable_2step: caller is not the new owner"):
            system.capsules.accept_ownership()
    assert system.capsules.owner() == system.owner
