"""`Jobs.set_treasury`: where protocol fees and slashed bonds go."""

import boa

from tests.contracts.conftest import System
from tests.contracts.jobs.conftest import (
    MODEL_PRICE,
    WORKER_PRICE,
    ZERO_ADDRESS,
    Market,
    assert_conserved,
    price_of,
    single_event,
)


def test_default_behavior(system: System) -> None:
    new = system.actor("new-treasury")
    with boa.env.prank(system.owner):
        system.jobs.set_treasury(new)
    assert single_event(system.jobs, "TreasurySet").treasury == new
    assert system.jobs.treasury() == new


def test_role_access(system: System) -> None:
    with boa.env.prank(system.actor("mallory")), boa.reverts("ownable: caller is not the owner"):
        system.jobs.set_treasury(system.actor("mallory"))
    assert system.jobs.treasury() == system.treasury


def test_zero_address(system: System) -> None:
    with boa.env.prank(system.owner), boa.reverts("Jobs: zero address"):
        system.jobs.set_treasury(ZERO_ADDRESS)


def test_new_treasury_receives_later_fees(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    fee = price_of() - MODEL_PRICE - WORKER_PRICE
    before = market.submit()
    market.settle([market.result(before)])
    new = system.actor("new-treasury")
    with boa.env.prank(system.owner):
        jobs.set_treasury(new)
    after = market.submit()
    market.settle([market.result(after)])
    # What the old treasury earned stays with it.
    assert jobs.claimable(system.treasury) == fee
    assert jobs.claimable(new) == fee
    assert_conserved(system)
