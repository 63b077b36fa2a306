"""`Jobs.submit`: validation, pricing, escrow and the JobSubmitted event."""

from typing import Any

import boa
import pytest
from eth_utils import keccak

from tests.contracts.conftest import (
    KIND_SIMULATED,
    MAX_CALLBACK_GAS,
    MAX_JOB_DURATION,
    MEASUREMENT,
    TOKEN,
)
from tests.contracts.jobs.conftest import (
    CAPSULE_PRICE,
    MAX_FEE,
    MODEL_PRICE,
    STATUS_PENDING,
    WORKER_PRICE,
    Market,
    assert_conserved,
    price_of,
    register_short_lived_worker,
    single_event,
)


def _submit(market: Market, requester: str, **overrides: Any) -> int:
    with boa.env.prank(requester):
        return int(market.jobs.submit(market.request(**overrides)))


def _now() -> int:
    return int(boa.env.evm.patch.timestamp)


def test_default_behavior(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    second = system.register_capsule(label="second", price=7 * TOKEN)
    callback = system.actor("callback")
    deadline = _now() + 600
    balance = system.token.balanceOf(requester)

    job_id = _submit(
        market,
        requester,
        capsule_ids=[market.capsule_id, second],
        input_hash=keccak(b"in"),
        input_uri="blob://in",
        result_key=keccak(b"key"),
        max_fee=MAX_FEE,
        deadline=deadline,
        callback=callback,
        callback_gas_limit=50_000,
    )

    price = price_of(capsule_fees=[CAPSULE_PRICE, 7 * TOKEN])
    event = single_event(jobs, "JobSubmitted")
    assert job_id == 1 == jobs.job_count()
    assert event.job_id == job_id
    assert event.requester == requester
    assert event.worker == market.worker
    assert event.model_id == market.model_id
    assert event.capsule_ids == [market.capsule_id, second]
    assert event.input_hash == keccak(b"in")
    assert event.input_uri == "blob://in"
    assert event.result_key == keccak(b"key")
    assert event.max_fee == MAX_FEE
    assert event.price == price
    assert event.deadline == deadline
    assert event.callback == callback
    assert event.callback_gas_limit == 50_000
    # The whole max fee is escrowed, not just the price.
    assert system.token.balanceOf(requester) == balance - MAX_FEE
    assert system.token.balanceOf(jobs.address) == MAX_FEE
    assert jobs.escrowed() == MAX_FEE
    assert jobs.total_claimable() == 0
    assert jobs.job_status(job_id) == STATUS_PENDING
    assert system.capsules.capsules(market.capsule_id).pending == 1
    assert system.capsules.capsules(second).pending == 1
    assert_conserved(system)


def test_role_access(market: Market, requester: str) -> None:
    """Anyone may submit; the caller is the requester and pays the escrow."""
    other = market.system.actor("requester-2")
    job_id = market.submit(other)
    assert single_event(market.jobs, "JobSubmitted").requester == other
    assert market.jobs.job(job_id).requester == other
    assert market.system.token.balanceOf(other) == 0


def test_price_adds_protocol_fee_on_the_subtotal(market: Market, requester: str) -> None:
    job_id = _submit(market, requester, capsule_ids=[market.capsule_id])
    subtotal = MODEL_PRICE + CAPSULE_PRICE + WORKER_PRICE
    assert single_event(market.jobs, "JobSubmitted").price == subtotal * 10_500 // 10_000
    job = market.jobs.job(job_id)
    assert job.model_fee == MODEL_PRICE
    assert job.capsule_fees == [CAPSULE_PRICE]
    assert job.worker_fee == WORKER_PRICE
    assert job.protocol_fee == subtotal * 500 // 10_000


def test_max_fee_equal_to_price_is_accepted(market: Market, requester: str) -> None:
    price = price_of(capsule_fees=[CAPSULE_PRICE])
    job_id = _submit(market, requester, capsule_ids=[market.capsule_id], max_fee=price)
    assert market.jobs.job(job_id).max_fee == price
    assert market.jobs.escrowed() == price


def test_free_job_needs_no_allowance(market: Market) -> None:
    system = market.system
    with boa.env.prank(market.model_owner):
        system.models.set_price(market.model_id, 0)
    with boa.env.prank(market.operator):
        system.workers.set_price(market.worker, 0)
    with boa.env.prank(system.owner):
        market.jobs.set_protocol_fee_bps(0)
    stranger = system.actor("penniless")
    job_id = _submit(market, stranger, max_fee=0)
    assert market.jobs.job_status(job_id) == STATUS_PENDING
    assert market.jobs.escrowed() == 0
    assert_conserved(system)


def test_job_ids_increase(market: Market, requester: str) -> None:
    assert [_submit(market, requester) for _ in range(3)] == [1, 2, 3]
    assert market.jobs.escrowed() == 3 * MAX_FEE


def test_max_fee_too_large(market: Market, requester: str) -> None:
    with boa.reverts("Jobs: max fee too large"):
        _submit(market, requester, max_fee=2**96)


def test_max_fee_just_below_limit_passes_the_size_check(market: Market, requester: str) -> None:
    # 2**96 - 1 is a legal amount; it fails only because the requester cannot pay it.
    with boa.reverts("erc20: transfer amount exceeds balance"):
        _submit(market, requester, max_fee=2**96 - 1)


@pytest.mark.parametrize("offset", [0, -1])
def test_deadline_in_the_past(market: Market, requester: str, offset: int) -> None:
    with boa.reverts("Jobs: deadline in the past"):
        _submit(market, requester, deadline=_now() + offset)


def test_deadline_too_far(market: Market, requester: str) -> None:
    with boa.reverts("Jobs: deadline too far"):
        _submit(market, requester, deadline=_now() + MAX_JOB_DURATION + 1)


def test_deadline_at_max_duration_is_accepted(market: Market, requester: str) -> None:
    job_id = _submit(market, requester, deadline=_now() + MAX_JOB_DURATION)
    assert market.jobs.job(job_id).deadline == _now() + MAX_JOB_DURATION


def test_empty_input_hash(market: Market, requester: str) -> None:
    with boa.reverts("Jobs: empty input hash"):
        _submit(market, requester, input_hash=b"\x00" * 32)


def test_empty_result_key(market: Market, requester: str) -> None:
    with boa.reverts("Jobs: empty result key"):
        _submit(market, requester, result_key=b"\x00" * 32)


def test_callback_gas_without_callback(market: Market, requester: str) -> None:
    with boa.reverts("Jobs: callback gas without callback"):
        _submit(market, requester, callback_gas_limit=1)


def test_callback_needs_a_gas_limit(market: Market, requester: str) -> None:
    with boa.reverts("Jobs: callback needs a gas limit"):
        _submit(market, requester, callback=market.system.actor("callback"))


def test_callback_gas_limit_too_high(market: Market, requester: str) -> None:
    callback = market.system.actor("callback")
    with boa.reverts("Jobs: callback gas limit too high"):
        _submit(market, requester, callback=callback, callback_gas_limit=MAX_CALLBACK_GAS + 1)


def test_callback_gas_limit_at_maximum_is_accepted(market: Market, requester: str) -> None:
    callback = market.system.actor("callback")
    job_id = _submit(market, requester, callback=callback, callback_gas_limit=MAX_CALLBACK_GAS)
    assert market.jobs.job(job_id).callback_gas_limit == MAX_CALLBACK_GAS


def test_unknown_worker(market: Market, requester: str) -> None:
    with boa.reverts("Workers: worker not active"):
        _submit(market, requester, worker=market.system.actor("nobody"))


def test_unbonding_worker_not_active(market: Market, requester: str) -> None:
    with boa.env.prank(market.operator):
        market.system.workers.begin_unbonding(market.worker)
    with boa.reverts("Workers: worker not active"):
        _submit(market, requester)


def test_worker_certificate_expired(market: Market, requester: str) -> None:
    worker, _ = register_short_lived_worker(market.system, market.model_id, lifetime=100)
    boa.env.time_travel(seconds=100)
    with boa.reverts("Workers: certificate expired"):
        _submit(market, requester, worker=worker)


def test_worker_measurement_no_longer_allowed(market: Market, requester: str) -> None:
    with boa.env.prank(market.system.owner):
        market.system.policy.set_measurement(KIND_SIMULATED, MEASUREMENT, False)
    with boa.reverts("TeePolicy: measurement not allowed"):
        _submit(market, requester)


def test_worker_does_not_serve_model(market: Market, requester: str) -> None:
    other_model = market.system.register_model()
    with boa.env.prank(requester), boa.reverts("Workers: worker does not serve model"):
        market.jobs.submit(market.system.request(market.worker, other_model))


def test_model_not_verified(market: Market, requester: str) -> None:
    system = market.system
    with boa.env.prank(market.model_owner):
        unverified = system.models.register("draft", "0.1", keccak(b"d"), "onnx", "blob://d", 1)
    with boa.env.prank(market.operator):
        system.workers.set_models(market.worker, [market.model_id, unverified])
    with boa.env.prank(requester), boa.reverts("Models: model not verified"):
        market.jobs.submit(system.request(market.worker, unverified))


def test_model_deprecated(market: Market, requester: str) -> None:
    with boa.env.prank(market.model_owner):
        market.system.models.deprecate(market.model_id)
    with boa.reverts("Models: model not verified"):
        _submit(market, requester)


def test_capsule_policy_forbids_model(market: Market, requester: str) -> None:
    other_model = market.system.register_model()
    capsule = market.system.register_capsule(label="picky", allowed_models=[other_model])
    with boa.reverts("Capsules: model not allowed"):
        _submit(market, requester, capsule_ids=[capsule])


def test_capsule_revoked(market: Market, requester: str) -> None:
    with boa.env.prank(market.capsule_owner):
        market.system.capsules.revoke(market.capsule_id)
    with boa.reverts("Capsules: capsule revoked"):
        _submit(market, requester, capsule_ids=[market.capsule_id])


def test_capsule_used_up(market: Market, requester: str) -> None:
    capsule = market.system.register_capsule(label="once", max_uses=1)
    _submit(market, requester, capsule_ids=[capsule])
    # The pending reservation counts against max_uses.
    with boa.reverts("Capsules: capsule used up"):
        _submit(market, requester, capsule_ids=[capsule])


def test_capsule_expired(market: Market, requester: str) -> None:
    capsule = market.system.register_capsule(label="brief", expiry=_now() + 10)
    boa.env.time_travel(seconds=10)
    with boa.reverts("Capsules: capsule expired"):
        _submit(market, requester, capsule_ids=[capsule])


def test_unknown_capsule(market: Market, requester: str) -> None:
    with boa.reverts("Capsules: unknown capsule"):
        _submit(market, requester, capsule_ids=[999])


def test_duplicate_capsule(market: Market, requester: str) -> None:
    second = market.system.register_capsule(label="second")
    with boa.reverts("Jobs: duplicate capsule"):
        _submit(market, requester, capsule_ids=[market.capsule_id, second, market.capsule_id])


def test_capsule_id_too_large(market: Market, requester: str) -> None:
    with boa.reverts("Jobs: capsule id too large"):
        _submit(market, requester, capsule_ids=[2**160])


def test_max_fee_below_price(market: Market, requester: str) -> None:
    price = price_of(capsule_fees=[CAPSULE_PRICE])
    with boa.reverts("Jobs: max fee below price"):
        _submit(market, requester, capsule_ids=[market.capsule_id], max_fee=price - 1)


def test_capsule_price_beyond_amount_range(market: Market, requester: str) -> None:
    capsule = market.system.register_capsule(label="priceless", price=2**96)
    with boa.reverts("Jobs: max fee below price"):
        _submit(market, requester, capsule_ids=[capsule], max_fee=2**96 - 1)


def test_insufficient_allowance(market: Market) -> None:
    system = market.system
    system.fund(market.requester, MAX_FEE)
    system.approve(market.requester, market.jobs, MAX_FEE - 1)
    with boa.reverts("erc20: insufficient allowance"):
        _submit(market, market.requester)


def test_failed_submit_leaves_no_trace(market: Market, requester: str) -> None:
    second = market.system.register_capsule(label="second")
    with boa.reverts("Jobs: max fee below price"):
        _submit(market, requester, capsule_ids=[market.capsule_id, second], max_fee=1)
    assert market.jobs.job_count() == 0
    assert market.jobs.escrowed() == 0
    assert market.system.capsules.capsules(market.capsule_id).pending == 0
