"""Workers.__init__: wiring, parameters and their events."""

import boa

from tests.contracts.conftest import DAY, MIN_BOND, TOKEN, UNBONDING_DELAY, System
from tests.contracts.workers.conftest import events

ZERO_ADDRESS = "0x" + "00" * 20


def test_default_behavior(system: System) -> None:
    assert system.workers.token() == system.token.address
    assert system.workers.gatekeepers() == system.gatekeepers.address
    assert system.workers.policy() == system.policy.address
    assert system.workers.min_bond() == MIN_BOND
    assert system.workers.unbonding_delay() == UNBONDING_DELAY
    assert system.workers.owner() == system.owner
    assert system.workers.jobs() == system.jobs.address


def test_events(system: System) -> None:
    deployer = boa.env.generate_address("workers-deployer")
    with boa.env.prank(deployer):
        workers = system.workers.deployer.deploy(
            system.token.address, system.gatekeepers.address, system.policy.address, TOKEN, DAY
        )
    assert events(workers, "MinBondSet")[0].amount == TOKEN
    assert events(workers, "UnbondingDelaySet")[0].seconds == DAY
    assert workers.owner() == deployer
    assert workers.jobs() == ZERO_ADDRESS
    _, _, _, _, verifying_contract, _, _ = workers.eip712Domain()
    assert verifying_contract == workers.address
