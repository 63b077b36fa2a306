"""Workers.withdraw_bond: the bond goes back to the operator once the unbonding delay is over."""

import boa

from tests.contracts.conftest import MIN_BOND, TOKEN, UNBONDING_DELAY, System
from tests.contracts.workers.conftest import Registration, events, prepare, register


def unbond(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)


def test_default_behavior(system: System, worker: str, operator: str) -> None:
    unbond(system, worker, operator)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    held = system.token.balanceOf(system.workers.address)
    assert system.token.balanceOf(operator) == 0
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    (withdrawn,) = events(system.workers, "BondWithdrawn")
    assert withdrawn.worker == worker
    assert withdrawn.operator == operator
    assert withdrawn.amount == MIN_BOND
    state = system.workers.workers(worker)
    assert state.status == 3
    assert state.bond == 0
    assert system.token.balanceOf(operator) == MIN_BOND
    assert system.token.balanceOf(system.workers.address) == held - MIN_BOND


def test_delay_not_over(system: System, worker: str, operator: str) -> None:
    unbond(system, worker, operator)
    boa.env.time_travel(seconds=UNBONDING_DELAY - 1)
    with boa.env.prank(operator), boa.reverts("Workers: unbonding delay not over"):
        system.workers.withdraw_bond(worker)
    boa.env.time_travel(seconds=1)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    assert system.token.balanceOf(operator) == MIN_BOND


def test_pays_what_is_left_after_slash(system: System, worker: str, operator: str) -> None:
    unbond(system, worker, operator)
    with boa.env.prank(system.jobs.address):
        system.workers.slash(worker, 30 * TOKEN)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    assert events(system.workers, "BondWithdrawn")[0].amount == MIN_BOND - 30 * TOKEN
    assert system.token.balanceOf(operator) == MIN_BOND - 30 * TOKEN


def test_fully_slashed_bond(system: System, worker: str, operator: str) -> None:
    unbond(system, worker, operator)
    with boa.env.prank(system.jobs.address):
        system.workers.slash(worker, MIN_BOND)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    assert events(system.workers, "BondWithdrawn")[0].amount == 0
    assert not [log for log in system.workers.get_logs() if type(log).__name__ == "Transfer"]
    assert system.workers.workers(worker).status == 3


def test_withdrawn_worker_is_gone(
    system: System, registration: Registration, worker: str, operator: str
) -> None:
    unbond(system, worker, operator)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    assert not system.workers.is_certified(worker)
    with boa.reverts("Workers: worker not registered"):
        system.workers.check_certified(worker)
    # The enclave address is spent: it cannot come back with a fresh certificate.
    again = prepare(system)
    with boa.reverts("Workers: worker already registered"):
        register(system, again)


def test_role_access(system: System, worker: str, operator: str) -> None:
    unbond(system, worker, operator)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    for stranger in (system.owner, system.actor("stranger"), system.jobs.address):
        with boa.env.prank(stranger), boa.reverts("Workers: caller is not the operator"):
            system.workers.withdraw_bond(worker)
    assert system.workers.workers(worker).bond == MIN_BOND


def test_unknown_worker(system: System, operator: str) -> None:
    with boa.env.prank(operator), boa.reverts("Workers: unknown worker"):
        system.workers.withdraw_bond(system.actor("unregistered-enclave"))


def test_worker_not_unbonding(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator), boa.reverts("Workers: worker not unbonding"):
        system.workers.withdraw_bond(worker)


def test_twice(system: System, worker: str, operator: str) -> None:
    unbond(system, worker, operator)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
        with boa.reverts("Workers: worker not unbonding"):
            system.workers.withdraw_bond(worker)
    assert system.token.balanceOf(operator) == MIN_BOND
