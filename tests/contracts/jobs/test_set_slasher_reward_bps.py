"""`Jobs.set_slasher_reward_bps`: the share of a slash paid to whoever expires the job."""

import boa

from tests.contracts.conftest import SLASH_AMOUNT, SLASHER_REWARD_BPS, System
from tests.contracts.jobs.conftest import Market, single_event


def test_default_behavior(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_slasher_reward_bps(2_500)
    assert single_event(system.jobs, "SlasherRewardSet").bps == 2_500
    assert system.jobs.slasher_reward_bps() == 2_500


def test_role_access(system: System) -> None:
    with boa.env.prank(system.actor("mallory")), boa.reverts("ownable: caller is not the owner"):
        system.jobs.set_slasher_reward_bps(10_000)
    assert system.jobs.slasher_reward_bps() == SLASHER_REWARD_BPS


def test_full_share_is_accepted(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_slasher_reward_bps(10_000)
    assert system.jobs.slasher_reward_bps() == 10_000


def test_slasher_reward_above_100_percent(system: System) -> None:
    with boa.env.prank(system.owner), boa.reverts("Jobs: slasher reward above 100%"):
        system.jobs.set_slasher_reward_bps(10_001)


def test_applies_to_next_expiry(market: Market, requester: str) -> None:
    job_id = market.submit()
    with boa.env.prank(market.system.owner):
        market.jobs.set_slasher_reward_bps(2_500)
    boa.env.time_travel(seconds=3_601)
    keeper = market.system.actor("keeper")
    with boa.env.prank(keeper):
        market.jobs.expire(job_id)
    assert single_event(market.jobs, "JobExpired").caller_reward == SLASH_AMOUNT // 4
    assert market.jobs.claimable(keeper) == SLASH_AMOUNT // 4
    assert market.jobs.claimable(market.system.treasury) == SLASH_AMOUNT * 3 // 4
