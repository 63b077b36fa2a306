"""`Jobs.set_max_job_duration`: the furthest deadline a job may ask for."""

import boa
import pytest

from tests.contracts.conftest import MAX_JOB_DURATION, UNBONDING_DELAY, System
from tests.contracts.jobs.conftest import STATUS_PENDING, Market, single_event


def _now() -> int:
    return int(boa.env.evm.patch.timestamp)


def test_default_behavior(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_max_job_duration(600)
    assert single_event(system.jobs, "MaxJobDurationSet").seconds == 600
    assert system.jobs.max_job_duration() == 600


def test_role_access(system: System) -> None:
    with boa.env.prank(system.actor("mallory")), boa.reverts("ownable: caller is not the owner"):
        system.jobs.set_max_job_duration(600)
    assert system.jobs.max_job_duration() == MAX_JOB_DURATION


def test_duration_must_be_positive(system: System) -> None:
    with boa.env.prank(system.owner), boa.reverts("Jobs: duration must be positive"):
        system.jobs.set_max_job_duration(0)


def test_duration_just_below_unbonding_delay(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_max_job_duration(UNBONDING_DELAY - 1)
    assert system.jobs.max_job_duration() == UNBONDING_DELAY - 1


@pytest.mark.parametrize("excess", [0, 1])
def test_duration_not_shorter_than_unbonding_delay(system: System, excess: int) -> None:
    message = "Jobs: duration not shorter than unbonding delay"
    with boa.env.prank(system.owner), boa.reverts(message):
        system.jobs.set_max_job_duration(UNBONDING_DELAY + excess)


def test_follows_the_current_unbonding_delay(system: System) -> None:
    with boa.env.prank(system.owner):
        system.workers.set_unbonding_delay(2 * UNBONDING_DELAY)
        system.jobs.set_max_job_duration(2 * UNBONDING_DELAY - 1)
    assert system.jobs.max_job_duration() == 2 * UNBONDING_DELAY - 1


def test_bounds_new_deadlines(market: Market, requester: str) -> None:
    with boa.env.prank(market.system.owner):
        market.jobs.set_max_job_duration(600)
    with boa.env.prank(requester), boa.reverts("Jobs: deadline too far"):
        market.jobs.submit(market.request(deadline=_now() + 601))
    job_id = market.submit(deadline=_now() + 600)
    assert market.jobs.job_status(job_id) == STATUS_PENDING
