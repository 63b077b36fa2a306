"""`Jobs.job`: everything recorded about a job, through its life."""

from typing import Any

import boa
from eth_utils import keccak

from tests.contracts.conftest import TOKEN
from tests.contracts.jobs.conftest import (
    CAPSULE_PRICE,
    MAX_FEE,
    MODEL_PRICE,
    STATUS_EXPIRED,
    STATUS_FAILED,
    STATUS_PENDING,
    STATUS_SETTLED,
    STATUS_UNKNOWN,
    WORKER_PRICE,
    ZERO_ADDRESS,
    Market,
    assert_conserved,
    single_event,
)


def test_default_behavior(market: Market, requester: str) -> None:
    system = market.system
    second = system.register_capsule(system.actor("second-owner"), label="second", price=TOKEN)
    callback = system.actor("callback")
    now = int(boa.env.evm.patch.timestamp)
    job_id = market.submit(
        capsule_ids=[second, market.capsule_id],
        input_hash=keccak(b"in"),
        input_uri="ipfs://" + "x" * 249,
        result_key=keccak(b"key"),
        deadline=now + 900,
        callback=callback,
        callback_gas_limit=123_456,
    )

    job = market.jobs.job(job_id)

    assert job.requester == requester
    assert job.worker == market.worker
    assert job.model_id == market.model_id
    assert job.capsule_ids == [second, market.capsule_id]
    assert job.input_hash == keccak(b"in")
    assert job.input_uri == "ipfs://" + "x" * 249
    assert job.result_key == keccak(b"key")
    assert job.max_fee == MAX_FEE
    assert job.deadline == now + 900
    assert job.callback == callback
    assert job.callback_gas_limit == 123_456
    assert job.status == STATUS_PENDING
    assert job.submitted_at == now
    assert job.model_owner == market.model_owner
    assert job.model_fee == MODEL_PRICE
    assert job.capsule_fees == [TOKEN, CAPSULE_PRICE]
    assert job.worker_fee == WORKER_PRICE
    assert job.protocol_fee == (MODEL_PRICE + TOKEN + CAPSULE_PRICE + WORKER_PRICE) * 500 // 10_000


def test_unknown_job_is_empty(market: Market) -> None:
    job = market.jobs.job(42)
    assert job.status == STATUS_UNKNOWN
    assert job.requester == ZERO_ADDRESS
    assert job.worker == ZERO_ADDRESS
    assert job.capsule_ids == []
    assert job.capsule_fees == []
    assert job.max_fee == 0


_MAX_AMOUNT = 2**96 - 1
# Prices near the top of the 96-bit amount range, eight capsules, a 20% protocol fee.
_SUBTOTAL = 2**94 + 2**93 + 2**92 + sum(range(7))
_PRICE = _SUBTOTAL + _SUBTOTAL * 2_000 // 10_000


def _extreme_job(market: Market, **overrides: Any) -> tuple[int, list[int]]:
    system, jobs = market.system, market.jobs
    with boa.env.prank(market.model_owner):
        system.models.set_price(market.model_id, 2**94)
    with boa.env.prank(market.operator):
        system.workers.set_price(market.worker, 2**93)
    capsules = [
        system.register_capsule(label=f"c{i}", price=2**92 if i == 7 else i) for i in range(8)
    ]
    minter = system.actor("minter")
    with boa.env.prank(system.owner):
        jobs.set_protocol_fee_bps(2_000)
        jobs.set_max_job_duration(7 * 86_400 - 1)
        jobs.set_max_callback_gas(5_000_000)
        system.token.set_minter(minter, True)
    with boa.env.prank(minter):
        system.token.mint(market.requester, _MAX_AMOUNT)
    system.approve(market.requester, jobs, _MAX_AMOUNT)
    with boa.env.prank(market.requester):
        job_id = jobs.submit(market.request(capsule_ids=capsules, max_fee=_MAX_AMOUNT, **overrides))
    return int(job_id), capsules


def test_packed_fields_do_not_overlap(market: Market) -> None:
    """Extreme values in every packed field read back unchanged."""
    deadline = int(boa.env.evm.patch.timestamp) + 7 * 86_400 - 1
    callback = "0x" + "ff" * 20
    job_id, capsules = _extreme_job(
        market, deadline=deadline, callback=callback, callback_gas_limit=5_000_000
    )

    job = market.jobs.job(job_id)

    assert job.requester == market.requester
    assert job.max_fee == _MAX_AMOUNT
    assert job.worker == market.worker
    assert job.worker_fee == 2**93
    assert job.model_owner == market.model_owner
    assert job.model_fee == 2**94
    assert job.deadline == deadline
    assert job.callback.lower() == callback
    assert job.callback_gas_limit == 5_000_000
    assert job.protocol_fee == _SUBTOTAL * 2_000 // 10_000
    assert job.status == STATUS_PENDING
    assert job.capsule_ids == capsules
    assert job.capsule_fees == [*range(7), 2**92]


def test_extreme_amounts_settle_exactly(market: Market) -> None:
    jobs = market.jobs
    job_id, _ = _extreme_job(market)
    market.settle([market.result(job_id)])
    assert single_event(jobs, "JobSettled").paid == _PRICE
    assert jobs.claimable(market.model_owner) == 2**94
    assert jobs.claimable(market.operator) == 2**93
    assert jobs.claimable(market.capsule_owner) == 2**92 + sum(range(7))
    assert jobs.claimable(market.system.treasury) == _SUBTOTAL * 2_000 // 10_000
    assert jobs.claimable(market.requester) == _MAX_AMOUNT - _PRICE
    assert_conserved(market.system)


def test_status_follows_the_job(market: Market, requester: str) -> None:
    jobs = market.jobs
    settled, failed, expired = market.submit(), market.submit(), market.submit()
    market.settle([market.result(settled), market.result(failed, status=2)])
    boa.env.time_travel(seconds=3_601)
    jobs.expire(expired)
    assert jobs.job(settled).status == STATUS_SETTLED
    assert jobs.job(failed).status == STATUS_FAILED
    assert jobs.job(expired).status == STATUS_EXPIRED
    # Only the status changes; the record stays.
    assert jobs.job(settled).max_fee == MAX_FEE
    assert jobs.job(expired).worker == market.worker
