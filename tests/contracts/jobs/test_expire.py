"""`Jobs.expire`: refund after the deadline and slash of the worker's bond."""

import boa

from tests.contracts.conftest import (
    MIN_BOND,
    SLASH_AMOUNT,
    SLASHER_REWARD_BPS,
    TOKEN,
    UNBONDING_DELAY,
)
from tests.contracts.jobs.conftest import (
    MAX_FEE,
    STATUS_EXPIRED,
    STATUS_PENDING,
    Market,
    assert_conserved,
    events,
    single_event,
)

HOUR = 3_600


def _expire(market: Market, job_id: int, caller: str) -> None:
    with boa.env.prank(caller):
        market.jobs.expire(job_id)


def test_default_behavior(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    job_id = market.submit(capsule_ids=[market.capsule_id])
    keeper = system.actor("keeper")
    balance = system.token.balanceOf(jobs.address)
    boa.env.time_travel(seconds=HOUR + 1)

    _expire(market, job_id, keeper)

    reward = SLASH_AMOUNT * SLASHER_REWARD_BPS // 10_000
    expired = single_event(jobs, "JobExpired")
    assert expired.job_id == job_id
    assert expired.worker == market.worker
    assert expired.caller == keeper
    assert expired.refund == MAX_FEE
    assert expired.slashed == SLASH_AMOUNT
    assert expired.caller_reward == reward
    slashed = single_event(jobs, "WorkerSlashed")
    assert (slashed.worker, slashed.amount, slashed.bond) == (
        market.worker,
        SLASH_AMOUNT,
        MIN_BOND - SLASH_AMOUNT,
    )
    assert jobs.job_status(job_id) == STATUS_EXPIRED
    assert jobs.claimable(requester) == MAX_FEE
    assert jobs.claimable(keeper) == reward
    assert jobs.claimable(system.treasury) == SLASH_AMOUNT - reward
    assert jobs.claimable(market.operator) == 0
    assert jobs.claimable(market.model_owner) == 0
    assert system.workers.workers(market.worker).bond == MIN_BOND - SLASH_AMOUNT
    assert system.token.balanceOf(jobs.address) == balance + SLASH_AMOUNT
    assert jobs.escrowed() == 0
    assert jobs.total_claimable() == MAX_FEE + SLASH_AMOUNT
    capsule = system.capsules.capsules(market.capsule_id)
    assert (capsule.uses, capsule.pending) == (0, 0)
    assert_conserved(system)


def test_role_access(market: Market, requester: str) -> None:
    """Anyone may expire a late job, the worker's own operator included."""
    job_id = market.submit()
    boa.env.time_travel(seconds=HOUR + 1)
    _expire(market, job_id, market.operator)
    assert market.jobs.job_status(job_id) == STATUS_EXPIRED
    assert market.jobs.claimable(market.operator) == SLASH_AMOUNT * SLASHER_REWARD_BPS // 10_000


def test_releases_capsule_reservation(market: Market, requester: str) -> None:
    capsule = market.system.register_capsule(label="once", max_uses=1)
    job_id = market.submit(capsule_ids=[capsule])
    boa.env.time_travel(seconds=HOUR + 1)
    market.jobs.expire(job_id)
    # The slashed worker is now under-bonded, so the retry goes to the other one.
    again = market.submit(worker=market.other_worker, capsule_ids=[capsule])
    assert market.jobs.job_status(again) == STATUS_PENDING


def test_requester_may_expire_own_job(market: Market, requester: str) -> None:
    job_id = market.submit()
    boa.env.time_travel(seconds=HOUR + 1)
    _expire(market, job_id, requester)
    reward = SLASH_AMOUNT * SLASHER_REWARD_BPS // 10_000
    assert market.jobs.claimable(requester) == MAX_FEE + reward
    assert_conserved(market.system)


def test_slash_capped_at_bond(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    ids = [market.submit() for _ in range(3)]
    boa.env.time_travel(seconds=HOUR + 1)
    keeper = system.actor("keeper")
    slashes = []
    for job_id in ids:
        _expire(market, job_id, keeper)
        slashes.append(single_event(jobs, "JobExpired").slashed)
    # Bond 100, slash 50: 50, 50, then nothing left.
    assert slashes == [SLASH_AMOUNT, MIN_BOND - SLASH_AMOUNT, 0]
    assert system.workers.workers(market.worker).bond == 0
    assert jobs.claimable(requester) == 3 * MAX_FEE
    assert jobs.claimable(keeper) == MIN_BOND * SLASHER_REWARD_BPS // 10_000
    assert jobs.claimable(system.treasury) == MIN_BOND - MIN_BOND * SLASHER_REWARD_BPS // 10_000
    assert_conserved(system)


def test_worker_with_zero_bond_slashed_zero(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    job_id = market.submit()
    with boa.env.prank(market.operator):
        system.workers.begin_unbonding(market.worker)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(market.operator):
        system.workers.withdraw_bond(market.worker)
    keeper = system.actor("keeper")

    _expire(market, job_id, keeper)

    expired = single_event(jobs, "JobExpired")
    assert (expired.refund, expired.slashed, expired.caller_reward) == (MAX_FEE, 0, 0)
    assert events(jobs, "WorkerSlashed") == []
    assert jobs.claimable(requester) == MAX_FEE
    assert jobs.claimable(keeper) == 0
    assert jobs.claimable(system.treasury) == 0
    assert_conserved(system)


def test_unbonding_worker_is_still_slashed(market: Market, requester: str) -> None:
    job_id = market.submit()
    with boa.env.prank(market.operator):
        market.system.workers.begin_unbonding(market.worker)
    boa.env.time_travel(seconds=HOUR + 1)
    market.jobs.expire(job_id)
    assert single_event(market.jobs, "JobExpired").slashed == SLASH_AMOUNT
    assert market.system.workers.workers(market.worker).bond == MIN_BOND - SLASH_AMOUNT


def test_bond_smaller_than_slash_amount(market: Market, requester: str) -> None:
    with boa.env.prank(market.system.owner):
        market.jobs.set_slash_amount(MIN_BOND + TOKEN)
    job_id = market.submit()
    boa.env.time_travel(seconds=HOUR + 1)
    market.jobs.expire(job_id)
    assert single_event(market.jobs, "JobExpired").slashed == MIN_BOND
    assert market.system.workers.workers(market.worker).bond == 0
    assert_conserved(market.system)


def test_zero_slasher_reward_goes_to_treasury(market: Market, requester: str) -> None:
    system = market.system
    with boa.env.prank(system.owner):
        market.jobs.set_slasher_reward_bps(0)
    job_id = market.submit()
    boa.env.time_travel(seconds=HOUR + 1)
    keeper = system.actor("keeper")
    _expire(market, job_id, keeper)
    assert single_event(market.jobs, "JobExpired").caller_reward == 0
    assert market.jobs.claimable(keeper) == 0
    assert market.jobs.claimable(system.treasury) == SLASH_AMOUNT
    assert_conserved(system)


def test_full_slasher_reward_goes_to_caller(market: Market, requester: str) -> None:
    system = market.system
    with boa.env.prank(system.owner):
        market.jobs.set_slasher_reward_bps(10_000)
    job_id = market.submit()
    boa.env.time_travel(seconds=HOUR + 1)
    keeper = system.actor("keeper")
    _expire(market, job_id, keeper)
    assert single_event(market.jobs, "JobExpired").caller_reward == SLASH_AMOUNT
    assert market.jobs.claimable(keeper) == SLASH_AMOUNT
    assert market.jobs.claimable(system.treasury) == 0
    assert_conserved(system)


def test_deadline_not_passed(market: Market, requester: str) -> None:
    job_id = market.submit()
    with boa.reverts("Jobs: deadline not passed"):
        market.jobs.expire(job_id)
    boa.env.time_travel(seconds=HOUR)  # exactly at the deadline the worker may still settle
    with boa.reverts("Jobs: deadline not passed"):
        market.jobs.expire(job_id)
    boa.env.time_travel(seconds=1)
    market.jobs.expire(job_id)
    assert market.jobs.job_status(job_id) == STATUS_EXPIRED


def test_unknown_job(market: Market) -> None:
    with boa.reverts("Jobs: unknown job"):
        market.jobs.expire(1)


def test_expire_twice(market: Market, requester: str) -> None:
    job_id = market.submit()
    boa.env.time_travel(seconds=HOUR + 1)
    market.jobs.expire(job_id)
    with boa.reverts("Jobs: job not pending"):
        market.jobs.expire(job_id)
    assert market.system.workers.workers(market.worker).bond == MIN_BOND - SLASH_AMOUNT


def test_expire_after_settle(market: Market, requester: str) -> None:
    job_id = market.submit()
    market.settle([market.result(job_id)])
    boa.env.time_travel(seconds=HOUR + 1)
    with boa.reverts("Jobs: job not pending"):
        market.jobs.expire(job_id)
    assert market.system.workers.workers(market.worker).bond == MIN_BOND


def test_expire_after_failure(market: Market, requester: str) -> None:
    job_id = market.submit()
    market.settle([market.result(job_id, status=1)])
    boa.env.time_travel(seconds=HOUR + 1)
    with boa.reverts("Jobs: job not pending"):
        market.jobs.expire(job_id)
