"""`Jobs.claim`: withdrawal of payments, refunds and rewards."""

import boa

from tests.contracts.conftest import SLASH_AMOUNT, SLASHER_REWARD_BPS
from tests.contracts.jobs.conftest import (
    MAX_FEE,
    MODEL_PRICE,
    WORKER_PRICE,
    Market,
    assert_conserved,
    price_of,
    single_event,
)


def _claim(market: Market, account: str) -> int:
    with boa.env.prank(account):
        return int(market.jobs.claim())


def test_default_behavior(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    job_id = market.submit()
    market.settle([market.result(job_id)])
    balance = system.token.balanceOf(market.operator)
    total = jobs.total_claimable()

    assert _claim(market, market.operator) == WORKER_PRICE

    claimed = single_event(jobs, "Claimed")
    assert (claimed.account, claimed.amount) == (market.operator, WORKER_PRICE)
    transfer = single_event(jobs, "Transfer")
    assert (transfer.sender, transfer.receiver, transfer.value) == (
        jobs.address,
        market.operator,
        WORKER_PRICE,
    )
    assert system.token.balanceOf(market.operator) == balance + WORKER_PRICE
    assert jobs.claimable(market.operator) == 0
    assert jobs.total_claimable() == total - WORKER_PRICE
    assert_conserved(system)


def test_role_access(market: Market, requester: str) -> None:
    """Each account claims only its own balance."""
    job_id = market.submit()
    market.settle([market.result(job_id)])
    with boa.reverts("Jobs: nothing to claim"):
        _claim(market, market.system.actor("thief"))
    assert market.jobs.claimable(market.operator) == WORKER_PRICE


def test_every_party_claims_its_share(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    job_id = market.submit()
    market.settle([market.result(job_id)])
    refund = MAX_FEE - price_of()
    shares = {
        market.model_owner: MODEL_PRICE,
        market.operator: WORKER_PRICE,
        system.treasury: price_of() - MODEL_PRICE - WORKER_PRICE,
        requester: refund,
    }
    for account, share in shares.items():
        before = system.token.balanceOf(account)
        assert _claim(market, account) == share
        assert system.token.balanceOf(account) == before + share
        assert_conserved(system)
    assert jobs.total_claimable() == 0
    assert system.token.balanceOf(jobs.address) == 0


def test_claim_accumulates_across_jobs_and_expiry(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    settled = market.submit()
    expired = market.submit()
    market.settle([market.result(settled)])
    boa.env.time_travel(seconds=3_601)
    with boa.env.prank(requester):
        jobs.expire(expired)
    reward = SLASH_AMOUNT * SLASHER_REWARD_BPS // 10_000
    expected = (MAX_FEE - price_of()) + MAX_FEE + reward
    assert _claim(market, requester) == expected
    assert_conserved(system)


def test_claim_leaves_escrow_untouched(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    done = market.submit()
    market.submit()
    market.settle([market.result(done)])
    _claim(market, requester)
    assert jobs.escrowed() == MAX_FEE
    assert system.token.balanceOf(jobs.address) == MAX_FEE + jobs.total_claimable()
    assert_conserved(system)


def test_nothing_to_claim(market: Market) -> None:
    with boa.reverts("Jobs: nothing to claim"):
        _claim(market, market.system.actor("nobody"))


def test_claim_twice(market: Market, requester: str) -> None:
    job_id = market.submit()
    market.settle([market.result(job_id)])
    _claim(market, market.operator)
    with boa.reverts("Jobs: nothing to claim"):
        _claim(market, market.operator)
