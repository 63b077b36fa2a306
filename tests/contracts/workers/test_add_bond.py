"""Workers.add_bond: the operator tops up an active worker's bond."""

import boa

from tests.contracts.conftest import MIN_BOND, TOKEN, System
from tests.contracts.workers.conftest import events


def top_up(system: System, operator: str, amount: int) -> None:
    system.fund(operator, amount)
    system.approve(operator, system.workers, amount)


def test_default_behavior(system: System, worker: str, operator: str) -> None:
    top_up(system, operator, 30 * TOKEN)
    held = system.token.balanceOf(system.workers.address)
    with boa.env.prank(operator):
        system.workers.add_bond(worker, 30 * TOKEN)
    (added,) = events(system.workers, "BondAdded")
    assert added.worker == worker
    assert added.amount == 30 * TOKEN
    assert added.bond == MIN_BOND + 30 * TOKEN
    assert system.workers.workers(worker).bond == MIN_BOND + 30 * TOKEN
    assert system.token.balanceOf(operator) == 0
    assert system.token.balanceOf(system.workers.address) == held + 30 * TOKEN


def test_restores_eligibility_after_slash(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(system.jobs.address):
        system.workers.slash(worker, 40 * TOKEN)
    with boa.reverts("Workers: bond below minimum"):
        system.workers.check_eligible(worker, 1)
    top_up(system, operator, 40 * TOKEN)
    with boa.env.prank(operator):
        system.workers.add_bond(worker, 40 * TOKEN)
    assert system.workers.check_eligible(worker, 1)


def test_role_access(system: System, worker: str) -> None:
    stranger = system.actor("stranger")
    top_up(system, stranger, TOKEN)
    for caller in (system.owner, stranger):
        with boa.env.prank(caller), boa.reverts("Workers: caller is not the operator"):
            system.workers.add_bond(worker, TOKEN)
    assert system.workers.workers(worker).bond == MIN_BOND


def test_unknown_worker(system: System, operator: str) -> None:
    top_up(system, operator, TOKEN)
    with boa.env.prank(operator), boa.reverts("Workers: unknown worker"):
        system.workers.add_bond(system.actor("unregistered-enclave"), TOKEN)


def test_worker_not_active(system: System, worker: str, operator: str) -> None:
    top_up(system, operator, TOKEN)
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
        with boa.reverts("Workers: worker not active"):
            system.workers.add_bond(worker, TOKEN)


def test_zero_amount(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator), boa.reverts("Workers: zero amount"):
        system.workers.add_bond(worker, 0)


def test_not_approved(system: System, worker: str, operator: str) -> None:
    system.fund(operator, TOKEN)
    with boa.env.prank(operator), boa.reverts("erc20: insufficient allowance"):
        system.workers.add_bond(worker, TOKEN)
