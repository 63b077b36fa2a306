"""Models.accept_ownership: the pending owner takes over the owner-only setters."""

import boa

from tests.contracts.conftest import System
from tests.contracts.models.conftest import events


def test_default_behavior(system: System) -> None:
    governor = system.actor("governor")
    with boa.env.prank(system.owner):
        system.models.transfer_ownership(governor)
    with boa.env.prank(governor):
        system.models.accept_ownership()
    (transferred,) = events(system.models, "OwnershipTransferred")
    assert transferred.previous_owner == system.owner
    assert transferred.new_owner == governor
    assert system.models.owner() == governor
    assert system.models.pending_owner() == "0x" + "00" * 20
    with boa.env.prank(governor):
        system.models.set_verifier(governor, True)
    assert system.models.is_verifier(governor)
    with boa.env.prank(system.owner), boa.reverts("ownable: caller is not the owner"):
        system.models.set_verifier(governor, True)


def test_role_access(system: System) -> None:
    with boa.env.prank(system.owner):
        system.models.transfer_ownership(system.actor("governor"))
    for caller in (system.owner, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("ownable_2step: caller is not the new owner"):
            system.models.accept_ownership()
    assert system.models.owner() == system.owner
