"""Workers.set_min_bond: governance sets the smallest bond a worker must keep."""

import boa

from tests.contracts.conftest import MIN_BOND, TOKEN, System
from tests.contracts.workers.conftest import events, prepare, register


def test_default_behavior(system: System) -> None:
    with boa.env.prank(system.owner):
        system.workers.set_min_bond(2 * MIN_BOND)
    (updated,) = events(system.workers, "MinBondSet")
    assert updated.amount == 2 * MIN_BOND
    assert system.workers.min_bond() == 2 * MIN_BOND


def test_applies_to_new_registrations(system: System) -> None:
    with boa.env.prank(system.owner):
        system.workers.set_min_bond(MIN_BOND + TOKEN)
    registration = prepare(system, bond=MIN_BOND + TOKEN)
    with boa.reverts("Workers: bond below minimum"):
        register(system, registration, bond=MIN_BOND)
    register(system, registration, bond=MIN_BOND + TOKEN)
    assert system.workers.workers(registration.worker).bond == MIN_BOND + TOKEN


def test_applies_to_existing_workers(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(system.owner):
        system.workers.set_min_bond(MIN_BOND + TOKEN)
    with boa.reverts("Workers: bond below minimum"):
        system.workers.check_eligible(worker, 1)
    # Still certified: jobs it already holds can settle.
    assert system.workers.check_certified(worker)


def test_zero_minimum(system: System, worker: str) -> None:
    with boa.env.prank(system.owner):
        system.workers.set_min_bond(0)
    with boa.env.prank(system.jobs.address):
        system.workers.slash(worker, MIN_BOND)
    assert system.workers.check_eligible(worker, 1)


def test_role_access(system: System, operator: str) -> None:
    for caller in (operator, system.actor("stranger"), system.jobs.address):
        with boa.env.prank(caller), boa.reverts("ownable: caller is not the owner"):
            system.workers.set_min_bond(0)
    assert system.workers.min_bond() == MIN_BOND
