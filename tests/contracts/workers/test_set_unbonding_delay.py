"""Workers.set_unbonding_delay: governance sets how long a leaving worker stays slashable."""

import boa

from tests.contracts.conftest import (
    DAY,
    MAX_JOB_DURATION,
    MIN_BOND,
    SLASH_AMOUNT,
    UNBONDING_DELAY,
    System,
)
from tests.contracts.workers.conftest import events, now


def test_default_behavior(system: System) -> None:
    assert system.workers.unbonding_delay() == UNBONDING_DELAY
    with boa.env.prank(system.owner):
        system.workers.set_unbonding_delay(14 * DAY)
    (updated,) = events(system.workers, "UnbondingDelaySet")
    assert updated.seconds == 14 * DAY
    assert system.workers.unbonding_delay() == 14 * DAY


def test_applies_to_future_unbonding_only(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    unbond_at = now() + UNBONDING_DELAY
    with boa.env.prank(system.owner):
        system.workers.set_unbonding_delay(30 * DAY)
    assert system.workers.workers(worker).unbond_at == unbond_at
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    assert system.workers.workers(worker).status == 3


def test_role_access(system: System, operator: str) -> None:
    for caller in (operator, system.actor("stranger"), system.jobs.address):
        with boa.env.prank(caller), boa.reverts("ownable: caller is not the owner"):
            system.workers.set_unbonding_delay(14 * DAY)
    assert system.workers.unbonding_delay() == UNBONDING_DELAY


def test_shorter_than_longest_job(system: System) -> None:
    assert system.jobs.max_job_duration() == MAX_JOB_DURATION
    with boa.env.prank(system.owner), boa.reverts("Workers: delay not longer than longest job"):
        system.workers.set_unbonding_delay(MAX_JOB_DURATION - 1)


def test_equal_to_longest_job(system: System) -> None:
    # Equal lengths would let a worker withdraw at a job's deadline, before it can be expired.
    with boa.env.prank(system.owner), boa.reverts("Workers: delay not longer than longest job"):
        system.workers.set_unbonding_delay(MAX_JOB_DURATION)


def test_just_longer_than_longest_job(system: System) -> None:
    with boa.env.prank(system.owner):
        system.workers.set_unbonding_delay(MAX_JOB_DURATION + 1)
    assert system.workers.unbonding_delay() == MAX_JOB_DURATION + 1


def test_follows_the_jobs_setting(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_max_job_duration(3 * DAY)
        with boa.reverts("Workers: delay not longer than longest job"):
            system.workers.set_unbonding_delay(2 * DAY)
        system.workers.set_unbonding_delay(3 * DAY + 1)
    assert system.workers.unbonding_delay() == 3 * DAY + 1


def test_worker_cannot_escape_a_slash(system: System) -> None:
    """The shortest delay allowed still lets an expired job be slashed before the bond leaves."""
    with boa.env.prank(system.owner):
        system.workers.set_unbonding_delay(MAX_JOB_DURATION + 1)
    model_id = system.register_model()
    worker, _ = system.register_worker(models=[model_id])
    operator = system.actor("operator:worker")
    job_id = system.submit(
        system.actor("requester"), worker, model_id, deadline=now() + MAX_JOB_DURATION
    )
    with boa.env.prank(operator):
        system.workers.begin_unbonding(worker)
    boa.env.time_travel(seconds=MAX_JOB_DURATION)
    with boa.env.prank(operator), boa.reverts("Workers: unbonding delay not over"):
        system.workers.withdraw_bond(worker)
    boa.env.time_travel(seconds=1)
    with boa.env.prank(system.actor("keeper")):
        system.jobs.expire(job_id)
    assert system.workers.workers(worker).bond == MIN_BOND - SLASH_AMOUNT
    with boa.env.prank(operator):
        system.workers.withdraw_bond(worker)
    assert system.token.balanceOf(operator) == MIN_BOND - SLASH_AMOUNT


def test_without_jobs_contract(system: System) -> None:
    # Before Jobs is wired there is no longest job to compare with.
    workers = system.workers.deployer.deploy(
        system.token.address, system.gatekeepers.address, system.policy.address, 1, 0
    )
    with boa.env.prank(boa.env.eoa):
        workers.set_unbonding_delay(1)
    assert workers.unbonding_delay() == 1
