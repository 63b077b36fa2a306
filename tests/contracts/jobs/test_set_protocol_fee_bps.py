"""`Jobs.set_protocol_fee_bps`: the protocol's cut on top of the job price."""

import boa

from tests.contracts.conftest import PROTOCOL_FEE_BPS, System
from tests.contracts.jobs.conftest import (
    MODEL_PRICE,
    WORKER_PRICE,
    Market,
    price_of,
    single_event,
)


def test_default_behavior(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_protocol_fee_bps(1_234)
    assert single_event(system.jobs, "ProtocolFeeSet").bps == 1_234
    assert system.jobs.protocol_fee_bps() == 1_234


def test_role_access(system: System) -> None:
    with boa.env.prank(system.actor("mallory")), boa.reverts("ownable: caller is not the owner"):
        system.jobs.set_protocol_fee_bps(0)
    assert system.jobs.protocol_fee_bps() == PROTOCOL_FEE_BPS


def test_maximum_is_accepted(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_protocol_fee_bps(2_000)
    assert system.jobs.protocol_fee_bps() == 2_000


def test_protocol_fee_too_high(system: System) -> None:
    with boa.env.prank(system.owner), boa.reverts("Jobs: protocol fee too high"):
        system.jobs.set_protocol_fee_bps(2_001)


def test_applies_to_new_jobs_only(market: Market, requester: str) -> None:
    jobs = market.jobs
    old = market.submit()
    with boa.env.prank(market.system.owner):
        jobs.set_protocol_fee_bps(2_000)
    new = market.submit()
    subtotal = MODEL_PRICE + WORKER_PRICE
    assert single_event(jobs, "JobSubmitted").price == price_of(bps=2_000)
    assert jobs.job(old).protocol_fee == subtotal * PROTOCOL_FEE_BPS // 10_000
    assert jobs.job(new).protocol_fee == subtotal * 2_000 // 10_000


def test_zero_fee(market: Market, requester: str) -> None:
    with boa.env.prank(market.system.owner):
        market.jobs.set_protocol_fee_bps(0)
    job_id = market.submit()
    market.settle([market.result(job_id)])
    assert single_event(market.jobs, "JobSettled").paid == MODEL_PRICE + WORKER_PRICE
    assert market.jobs.claimable(market.system.treasury) == 0
