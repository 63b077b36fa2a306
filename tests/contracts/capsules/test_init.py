"""Capsules.__init__: an empty registry owned by its deployer."""

from tests.contracts.conftest import System


def test_default_behavior(system: System) -> None:
    assert system.capsules.owner() == system.owner
    assert system.capsules.capsule_count() == 0
    assert system.capsules.capsules(1).owner == "0x" + "00" * 20
    assert system.capsules.jobs() == system.jobs.address
