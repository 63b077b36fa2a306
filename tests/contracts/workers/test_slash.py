"""Workers.slash: Jobs takes part of a worker's bond."""

import boa
import pytest

from tests.contracts.conftest import MIN_BOND, TOKEN, System
from tests.contracts.workers.conftest import events


def slash(system: System, worker: str, amount: int) -> int:
    with boa.env.prank(system.jobs.address):
        return int(system.workers.slash(worker, amount))


def test_default_behavior(system: System, worker: str) -> None:
    held = system.token.balanceOf(system.workers.address)
    jobs_held = system.token.balanceOf(system.jobs.address)
    assert slash(system, worker, 30 * TOKEN) == 30 * TOKEN
    (slashed,) = events(system.workers, "WorkerSlashed")
    assert slashed.worker == worker
    assert slashed.amount == 30 * TOKEN
    assert slashed.bond == MIN_BOND - 30 * TOKEN
    assert system.workers.workers(worker).bond == MIN_BOND - 30 * TOKEN
    assert system.token.balanceOf(system.workers.address) == held - 30 * TOKEN
    assert system.token.balanceOf(system.jobs.address) == jobs_held + 30 * TOKEN


@pytest.mark.parametrize("amount", [MIN_BOND, MIN_BOND + 1, 2**256 - 1])
def test_never_more_than_the_bond(system: System, worker: str, amount: int) -> None:
    jobs_held = system.token.balanceOf(system.jobs.address)
    assert slash(system, worker, amount) == MIN_BOND
    assert events(system.workers, "WorkerSlashed")[0].amount == MIN_BOND
    assert system.workers.workers(worker).bond == 0
    assert system.token.balanceOf(system.jobs.address) == jobs_held + MIN_BOND


def test_nothing_left(system: System, worker: str) -> None:
    slash(system, worker, MIN_BOND)
    assert slash(system, worker, TOKEN) == 0
    assert events(system.workers, "WorkerSlashed") == []


def test_zero_amount(system: System, worker: str) -> None:
    assert slash(system, worker, 0) == 0
    assert events(system.workers, "WorkerSlashed") == []
    assert system.workers.workers(worker).bond == MIN_BOND


def test_unknown_worker(system: System, worker: str) -> None:
    assert slash(system, system.actor("unregistered-enclave"), TOKEN) == 0


def test_unbonding_worker(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    assert slash(system, worker, TOKEN) == TOKEN
    assert system.workers.workers(worker).bond == MIN_BOND - TOKEN


def test_role_access(system: System, worker: str, operator: str) -> None:
    for caller in (system.owner, operator, worker, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("Workers: caller is not Jobs"):
            system.workers.slash(worker, TOKEN)
    assert system.workers.workers(worker).bond == MIN_BOND
