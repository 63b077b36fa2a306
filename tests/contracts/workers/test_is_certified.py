"""Workers.is_certified: the non-reverting twin of check_certified."""

import boa

from tests.contracts.conftest import MEASUREMENT, UNBONDING_DELAY, System


def test_default_behavior(system: System, worker: str) -> None:
    assert system.workers.is_certified(worker) is True


def test_unknown_worker(system: System) -> None:
    assert system.workers.is_certified(system.actor("unregistered-enclave")) is False


def test_unbonding_then_withdrawn(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    assert system.workers.is_certified(worker) is True
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    assert system.workers.is_certified(worker) is False


def test_expiry(system: System, worker: str) -> None:
    expiry = system.workers.workers(worker).expiry
    boa.env.time_travel(seconds=expiry - boa.env.evm.patch.timestamp - 1)
    assert system.workers.is_certified(worker) is True
    boa.env.time_travel(seconds=1)
    assert system.workers.is_certified(worker) is False


def test_measurement_disallowed_decertifies_at_once(system: System, worker: str) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_measurement(0, MEASUREMENT, False)
    assert system.workers.is_certified(worker) is False
    with boa.env.prank(system.owner):
        system.policy.set_measurement(0, MEASUREMENT, True)
    assert system.workers.is_certified(worker) is True


def test_simulated_quotes_switched_off(system: System, worker: str) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_allow_simulated(False)
    assert system.workers.is_certified(worker) is False


def test_tcb_status_no_longer_accepted(system: System, worker: str) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_tcb_accepted(0, False)
    assert system.workers.is_certified(worker) is False
