"""Workers.begin_unbonding: the worker stops taking jobs and its bond starts to unlock."""

import boa

from tests.contracts.conftest import DAY, UNBONDING_DELAY, System
from tests.contracts.workers.conftest import events, now


def test_default_behavior(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    (started,) = events(system.workers, "UnbondingStarted")
    assert started.worker == worker
    assert started.unbond_at == now() + UNBONDING_DELAY
    state = system.workers.workers(worker)
    assert state.status == 2
    assert state.unbond_at == now() + UNBONDING_DELAY


def test_no_new_jobs_but_results_still_accepted(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    with boa.reverts("Workers: worker not active"):
        system.workers.check_eligible(worker, 1)
    assert system.workers.check_certified(worker)
    assert system.workers.is_certified(worker)


def test_uses_the_current_delay(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(system.owner):
        system.workers.set_unbonding_delay(3 * DAY)
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    assert system.workers.workers(worker).unbond_at == now() + 3 * DAY


def test_role_access(system: System, worker: str) -> None:
    for stranger in (system.owner, system.actor("stranger"), system.jobs.address):
        with boa.env.prank(stranger), boa.reverts("Workers: caller is not the operator"):
            system.workers.begin_unbonding(worker)
    assert system.workers.workers(worker).status == 1


def test_unknown_worker(system: System, operator: str) -> None:
    with boa.env.prank(operator), boa.reverts("Workers: unknown worker"):
        system.workers.begin_unbonding(system.actor("unregistered-enclave"))


def test_already_unbonding(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    boa.env.time_travel(seconds=DAY)
    with boa.env.prank(operator), boa.reverts("Workers: worker not active"):
        system.workers.begin_unbonding(worker)
    # The clock is not restarted.
    assert system.workers.workers(worker).unbond_at == now() - DAY + UNBONDING_DELAY


def test_withdrawn(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
        with boa.reverts("Workers: worker not active"):
            system.workers.begin_unbonding(worker)
