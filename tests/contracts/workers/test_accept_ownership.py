"""Workers.accept_ownership: the pending owner takes over the owner-only setters."""

import boa

from tests.contracts.conftest import System
from tests.contracts.workers.conftest import events


def test_default_behavior(system: System) -> None:
    governor = system.actor("governor")
    with boa.env.prank(system.owner):
        system.workers.transfer_ownership(governor)
    with boa.env.prank(governor):
        system.workers.accept_ownership()
    (transferred,) = events(system.workers, "OwnershipTransferred")
    assert transferred.previous_owner == system.owner
    assert transferred.new_owner == governor
    assert system.workers.owner() == governor
    assert system.workers.pending_owner() == "0x" + "00" * 20
    with boa.env.prank(governor):
        system.workers.set_min_bond(1)
    assert system.workers.min_bond() == 1
    with boa.env.prank(system.owner), boa.reverts("ownable: caller is not the owner"):
        system.workers.set_min_bond(1)


def test_role_access(system: System) -> None:
    with boa.env.prank(system.owner):
        system.workers.transfer_ownership(system.actor("governor"))
    for caller in (system.owner, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("ownable_2step: caller is not the new owner"):
            system.workers.accept_ownership()
    assert system.workers.owner() == system.owner
