"""Models.transfer_ownership: the first step of handing the model registry to governance."""

import boa

from tests.contracts.conftest import System
from tests.contracts.models.conftest import events


def test_default_behavior(system: System) -> None:
    governor = system.actor("governor")
    with boa.env.prank(system.owner):
        system.models.transfer_ownership(governor)
    (started,) = events(system.models, "OwnershipTransferStarted")
    assert started.previous_owner == system.owner
    assert started.new_owner == governor
    assert system.models.pending_owner() == governor
    assert system.models.owner() == system.owner


def test_role_access(system: System) -> None:
    stranger = system.actor("stranger")
    with boa.env.prank(stranger), boa.reverts("ownable: caller is not the owner"):
        system.models.transfer_ownership(stranger)
    assert system.models.pending_owner() == "0x" + "00" * 20
