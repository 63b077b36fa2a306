"""Workers.transfer_ownership: the first step of handing the registry of workers to governance."""

import boa

from tests.contracts.conftest import System
from tests.contracts.workers.conftest import events


def test_default_behavior(system: System) -> None:
    governor = system.actor("governor")
    with boa.env.prank(system.owner):
        system.workers.transfer_ownership(governor)
    (started,) = events(system.workers, "OwnershipTransferStarted")
    assert started.previous_owner == system.owner
    assert started.new_owner == governor
    assert system.workers.pending_owner() == governor
    assert system.workers.owner() == system.owner


def test_role_access(system: System) -> None:
    stranger = system.actor("stranger")
    with boa.env.prank(stranger), boa.reverts("ownable: caller is not the owner"):
        system.workers.transfer_ownership(stranger)
    assert system.workers.pending_owner() == "0x" + "00" * 20
