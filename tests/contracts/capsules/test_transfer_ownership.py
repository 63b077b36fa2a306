"""Capsules.transfer_ownership: the first step of handing the capsule registry to governance."""

import boa

from tests.contracts.capsules.conftest import events
from tests.contracts.conftest import System


def test_default_behavior(system: System) -> None:
    governor = system.actor("governor")
    with boa.env.prank(system.owner):
        system.capsules.transfer_ownership(governor)
    (started,) = events(system.capsules, "OwnershipTransferStarted")
    assert started.previous_owner == system.owner
    assert started.new_owner == governor
    assert system.capsules.pending_owner() == governor
    assert system.capsules.owner() == system.owner


def test_role_access(system: System) -> None:
    stranger = system.actor("stranger")
    with boa.env.prank(stranger), boa.reverts("ownable: caller is not the owner"):
        system.capsules.transfer_ownership(stranger)
    assert system.capsules.pending_owner() == "0x" + "00" * 20
