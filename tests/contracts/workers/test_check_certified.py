"""Workers.check_certified: may this worker's results be accepted now? Reverts naming why not."""

import boa

from tests.contracts.conftest import DAY, MEASUREMENT, UNBONDING_DELAY, System


def test_default_behavior(system: System, worker: str) -> None:
    assert system.workers.check_certified(worker) is True


def test_unbonding_worker(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    assert system.workers.check_certified(worker) is True


def test_unknown_worker(system: System) -> None:
    with boa.reverts("Workers: worker not registered"):
        system.workers.check_certified(system.actor("unregistered-enclave"))


def test_withdrawn_worker(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    with boa.reverts("Workers: worker not registered"):
        system.workers.check_certified(worker)


def test_certificate_expired(system: System, worker: str) -> None:
    expiry = system.workers.workers(worker).expiry
    boa.env.time_travel(seconds=expiry - boa.env.evm.patch.timestamp - 1)
    assert system.workers.check_certified(worker)
    boa.env.time_travel(seconds=1)  # the expiry second itself is already too late
    with boa.reverts("Workers: certificate expired"):
        system.workers.check_certified(worker)


def test_measurement_disallowed(system: System, worker: str) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_measurement(0, MEASUREMENT, False)
    with boa.reverts("TeePolicy: measurement not allowed"):
        system.workers.check_certified(worker)


def test_simulated_quotes_switched_off(system: System, worker: str) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_allow_simulated(False)
    with boa.reverts("TeePolicy: simulated quotes not accepted"):
        system.workers.check_certified(worker)


def test_tcb_status_no_longer_accepted(system: System, worker: str) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_tcb_accepted(0, False)
    with boa.reverts("TeePolicy: TCB status not accepted"):
        system.workers.check_certified(worker)


def test_expiry_checked_before_policy(system: System, worker: str) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_measurement(0, MEASUREMENT, False)
    boa.env.time_travel(seconds=8 * DAY)
    with boa.reverts("Workers: certificate expired"):
        system.workers.check_certified(worker)
