"""`Jobs.set_slash_amount`: how much bond an expired job costs its worker."""

import boa

from tests.contracts.conftest import MIN_BOND, SLASH_AMOUNT, TOKEN, System
from tests.contracts.jobs.conftest import Market, assert_conserved, events, single_event


def test_default_behavior(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_slash_amount(7 * TOKEN)
    assert single_event(system.jobs, "SlashAmountSet").amount == 7 * TOKEN
    assert system.jobs.slash_amount() == 7 * TOKEN


def test_role_access(system: System) -> None:
    with boa.env.prank(system.actor("mallory")), boa.reverts("ownable: caller is not the owner"):
        system.jobs.set_slash_amount(0)
    assert system.jobs.slash_amount() == SLASH_AMOUNT


def test_applies_to_next_expiry(market: Market, requester: str) -> None:
    job_id = market.submit()
    with boa.env.prank(market.system.owner):
        market.jobs.set_slash_amount(7 * TOKEN)
    boa.env.time_travel(seconds=3_601)
    market.jobs.expire(job_id)
    assert single_event(market.jobs, "JobExpired").slashed == 7 * TOKEN
    assert market.system.workers.workers(market.worker).bond == MIN_BOND - 7 * TOKEN
    assert_conserved(market.system)


def test_zero_disables_slashing(market: Market, requester: str) -> None:
    job_id = market.submit()
    with boa.env.prank(market.system.owner):
        market.jobs.set_slash_amount(0)
    boa.env.time_travel(seconds=3_601)
    market.jobs.expire(job_id)
    assert single_event(market.jobs, "JobExpired").slashed == 0
    assert events(market.jobs, "WorkerSlashed") == []
    assert market.system.workers.workers(market.worker).bond == MIN_BOND
