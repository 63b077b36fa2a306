"""Workers.set_jobs: governance names the only contract that may slash."""

import boa

from tests.contracts.conftest import TOKEN, System
from tests.contracts.workers.conftest import events

ZERO_ADDRESS = "0x" + "00" * 20


def test_default_behavior(system: System, worker: str) -> None:
    assert system.workers.jobs() == system.jobs.address
    successor = system.actor("jobs-v2")
    with boa.env.prank(system.owner):
        system.workers.set_jobs(successor)
    (updated,) = events(system.workers, "JobsContractSet")
    assert updated.jobs == successor
    assert system.workers.jobs() == successor
    # The slashing right moves with it.
    with boa.env.prank(system.jobs.address), boa.reverts("Workers: caller is not Jobs"):
        system.workers.slash(worker, TOKEN)
    with boa.env.prank(successor):
        assert system.workers.slash(worker, TOKEN) == TOKEN


def test_role_access(system: System, operator: str) -> None:
    for caller in (operator, system.actor("stranger"), system.jobs.address):
        with boa.env.prank(caller), boa.reverts("ownable: caller is not the owner"):
            system.workers.set_jobs(caller)
    assert system.workers.jobs() == system.jobs.address


def test_zero_address(system: System) -> None:
    with boa.env.prank(system.owner), boa.reverts("Workers: zero address"):
        system.workers.set_jobs(ZERO_ADDRESS)
