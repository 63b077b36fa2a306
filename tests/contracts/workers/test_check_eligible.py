"""Workers.check_eligible: may this worker take a new job for a model? Reverts naming why not."""

import boa

from tests.contracts.conftest import DAY, MEASUREMENT, MIN_BOND, UNBONDING_DELAY, System


def test_default_behavior(system: System, worker: str) -> None:
    assert system.workers.check_eligible(worker, 1) is True
    assert system.workers.check_eligible(worker, 2) is True


def test_unknown_worker(system: System) -> None:
    with boa.reverts("Workers: worker not active"):
        system.workers.check_eligible(system.actor("unregistered-enclave"), 1)


def test_unbonding_worker(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    with boa.reverts("Workers: worker not active"):
        system.workers.check_eligible(worker, 1)


def test_withdrawn_worker(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    with boa.reverts("Workers: worker not active"):
        system.workers.check_eligible(worker, 1)


def test_certificate_expired(system: System, worker: str) -> None:
    boa.env.time_travel(seconds=7 * DAY)
    with boa.reverts("Workers: certificate expired"):
        system.workers.check_eligible(worker, 1)


def test_measurement_disallowed(system: System, worker: str) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_measurement(0, MEASUREMENT, False)
    with boa.reverts("TeePolicy: measurement not allowed"):
        system.workers.check_eligible(worker, 1)


def test_bond_below_minimum(system: System, worker: str) -> None:
    with boa.env.prank(system.jobs.address):
        system.workers.slash(worker, 1)
    assert system.workers.workers(worker).bond == MIN_BOND - 1
    with boa.reverts("Workers: bond below minimum"):
        system.workers.check_eligible(worker, 1)


def test_model_not_served(system: System, worker: str) -> None:
    with boa.reverts("Workers: worker does not serve model"):
        system.workers.check_eligible(worker, 3)
    with boa.reverts("Workers: worker does not serve model"):
        system.workers.check_eligible(worker, 0)
