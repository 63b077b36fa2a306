"""`Jobs.settle`: signature and assignment checks, payouts, refunds and callbacks."""

import dataclasses
from typing import Any

import boa
import pytest
from eth_abi import encode
from eth_keys import keys
from eth_utils import keccak

from tests.contracts.conftest import (
    KIND_SIMULATED,
    MAX_CALLBACK_GAS,
    MEASUREMENT,
    PROTOCOL_FEE_BPS,
    TOKEN,
    UNBONDING_DELAY,
)
from tests.contracts.jobs import callbacks
from tests.contracts.jobs.conftest import (
    CAPSULE_PRICE,
    MAX_FEE,
    MODEL_PRICE,
    RESULT_HASH,
    RESULT_URI,
    SECP256K1_N,
    STATUS_FAILED,
    STATUS_PENDING,
    STATUS_SETTLED,
    WORKER_PRICE,
    Market,
    assert_conserved,
    events,
    price_of,
    register_short_lived_worker,
    single_event,
)
from veritee.crypto.typed_data import Domain, JobResult, batch_digest, sign_digest

_SETTLE_SELECTOR = keccak(text="settle(address,(uint256,bytes32,string,uint8)[],bytes)")[:4]
_CLAIM_SELECTOR = keccak(text="claim()")[:4]


def _fee(amount: int) -> int:
    return amount * PROTOCOL_FEE_BPS // 10_000


def _settle_calldata(worker: str, results: list[JobResult], signature: bytes) -> bytes:
    return _SETTLE_SELECTOR + encode(
        ["address", "(uint256,bytes32,string,uint8)[]", "bytes"],
        [worker, [r.as_tuple() for r in results], signature],
    )


# --- payouts -----------------------------------------------------------------------------------


def test_default_behavior(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    job_id = market.submit(capsule_ids=[market.capsule_id])
    balance = system.token.balanceOf(jobs.address)

    market.settle([market.result(job_id)])

    price = price_of(capsule_fees=[CAPSULE_PRICE])
    settled = single_event(jobs, "JobSettled")
    assert settled.job_id == job_id
    assert settled.worker == market.worker
    assert settled.result_hash == RESULT_HASH
    assert settled.result_uri == RESULT_URI
    assert settled.paid == price
    assert settled.refund == MAX_FEE - price
    used = single_event(jobs, "CapsuleUsed")
    assert (used.capsule_id, used.uses) == (market.capsule_id, 1)
    assert events(jobs, "JobFailed") == []
    assert events(jobs, "CallbackFailed") == []
    assert jobs.claimable(market.model_owner) == MODEL_PRICE
    assert jobs.claimable(market.capsule_owner) == CAPSULE_PRICE
    assert jobs.claimable(market.operator) == WORKER_PRICE
    assert jobs.claimable(system.treasury) == _fee(MODEL_PRICE + CAPSULE_PRICE + WORKER_PRICE)
    assert jobs.claimable(requester) == MAX_FEE - price
    assert jobs.job_status(job_id) == STATUS_SETTLED
    capsule = system.capsules.capsules(market.capsule_id)
    assert (capsule.uses, capsule.pending) == (1, 0)
    # Nothing moves until claimed: the escrow becomes claimable.
    assert system.token.balanceOf(jobs.address) == balance
    assert jobs.escrowed() == 0
    assert jobs.total_claimable() == MAX_FEE
    assert_conserved(system)


def test_role_access(market: Market, requester: str) -> None:
    """Anyone may relay a signed batch; the signature, not the sender, authorises it."""
    first, second = market.submit(), market.submit()
    for sender, job_id in ((requester, first), (market.system.owner, second)):
        results = [market.result(job_id)]
        signature = market.system.sign_batch(market.key, results)
        with boa.env.prank(sender):
            market.jobs.settle(market.worker, [r.as_tuple() for r in results], signature)
        assert market.jobs.job_status(job_id) == STATUS_SETTLED
    # The worker's own operator gets nowhere without the enclave's signature.
    third = market.submit()
    results = [market.result(third)]
    with boa.env.prank(market.operator), boa.reverts("Jobs: invalid result signature"):
        market.jobs.settle(market.worker, [r.as_tuple() for r in results], b"\x00" * 65)


def test_batch_aggregates_payouts(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    second = system.register_capsule(system.actor("second-owner"), label="second", price=TOKEN)
    first = market.submit(capsule_ids=[market.capsule_id])
    both = market.submit(capsule_ids=[market.capsule_id, second])
    plain = market.submit(system.actor("requester-2"))

    market.settle([market.result(first), market.result(both), market.result(plain)])

    assert [e.job_id for e in events(jobs, "JobSettled")] == [first, both, plain]
    assert jobs.claimable(market.model_owner) == 3 * MODEL_PRICE
    assert jobs.claimable(market.capsule_owner) == 2 * CAPSULE_PRICE
    assert jobs.claimable(system.actor("second-owner")) == TOKEN
    assert jobs.claimable(market.operator) == 3 * WORKER_PRICE
    subtotals = [
        MODEL_PRICE + CAPSULE_PRICE + WORKER_PRICE,
        MODEL_PRICE + CAPSULE_PRICE + TOKEN + WORKER_PRICE,
        MODEL_PRICE + WORKER_PRICE,
    ]
    assert jobs.claimable(system.treasury) == sum(_fee(s) for s in subtotals)
    assert jobs.claimable(requester) == 2 * MAX_FEE - price_of(
        capsule_fees=[CAPSULE_PRICE]
    ) - price_of(capsule_fees=[CAPSULE_PRICE, TOKEN])
    assert jobs.claimable(system.actor("requester-2")) == MAX_FEE - price_of()
    assert system.capsules.capsules(market.capsule_id).uses == 2
    assert system.capsules.capsules(second).uses == 1
    assert jobs.escrowed() == 0
    assert_conserved(system)


def test_fees_are_fixed_at_submission(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    job_id = market.submit(capsule_ids=[market.capsule_id])
    with boa.env.prank(market.model_owner):
        system.models.set_price(market.model_id, 50 * TOKEN)
    with boa.env.prank(market.operator):
        system.workers.set_price(market.worker, 40 * TOKEN)
    with boa.env.prank(market.capsule_owner):
        system.capsules.update_policy(market.capsule_id, [], 30 * TOKEN, 0, 0)
    with boa.env.prank(system.owner):
        jobs.set_protocol_fee_bps(2_000)

    market.settle([market.result(job_id)])

    assert jobs.claimable(market.model_owner) == MODEL_PRICE
    assert jobs.claimable(market.operator) == WORKER_PRICE
    assert jobs.claimable(market.capsule_owner) == CAPSULE_PRICE
    assert jobs.claimable(system.treasury) == _fee(MODEL_PRICE + CAPSULE_PRICE + WORKER_PRICE)
    assert jobs.claimable(requester) == MAX_FEE - price_of(capsule_fees=[CAPSULE_PRICE])


def test_exact_max_fee_leaves_no_refund(market: Market, requester: str) -> None:
    price = price_of()
    job_id = market.submit(max_fee=price)
    market.settle([market.result(job_id)])
    assert single_event(market.jobs, "JobSettled").refund == 0
    assert market.jobs.claimable(requester) == 0
    assert market.jobs.total_claimable() == price
    assert_conserved(market.system)


def test_failed_result_refunds_in_full(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    job_id = market.submit(capsule_ids=[market.capsule_id])
    assert system.capsules.capsules(market.capsule_id).pending == 1

    market.settle([market.result(job_id, status=7, result_uri="blob://error")])

    failed = single_event(jobs, "JobFailed")
    assert failed.job_id == job_id
    assert failed.worker == market.worker
    assert failed.reason == 7
    assert failed.result_hash == RESULT_HASH
    assert failed.result_uri == "blob://error"
    assert failed.refund == MAX_FEE
    assert events(jobs, "JobSettled") == []
    assert jobs.claimable(requester) == MAX_FEE
    for payee in (market.model_owner, market.capsule_owner, market.operator, system.treasury):
        assert jobs.claimable(payee) == 0
    assert jobs.job_status(job_id) == STATUS_FAILED
    capsule = system.capsules.capsules(market.capsule_id)
    assert (capsule.uses, capsule.pending) == (0, 0)
    assert_conserved(system)


def test_failure_releases_capsule_reservation(market: Market, requester: str) -> None:
    capsule = market.system.register_capsule(label="once", max_uses=1)
    job_id = market.submit(capsule_ids=[capsule])
    market.settle([market.result(job_id, status=1)])
    # The released use can be reserved again.
    again = market.submit(capsule_ids=[capsule])
    assert market.jobs.job_status(again) == STATUS_PENDING


def test_mixed_batch(market: Market, requester: str) -> None:
    jobs = market.jobs
    ok, bad = market.submit(), market.submit()
    market.settle([market.result(ok), market.result(bad, status=255)])
    assert single_event(jobs, "JobSettled").job_id == ok
    assert (single_event(jobs, "JobFailed").job_id, single_event(jobs, "JobFailed").reason) == (
        bad,
        255,
    )
    assert jobs.claimable(requester) == 2 * MAX_FEE - price_of()
    assert jobs.claimable(market.operator) == WORKER_PRICE
    assert jobs.job_status(ok) == STATUS_SETTLED
    assert jobs.job_status(bad) == STATUS_FAILED
    assert_conserved(market.system)


def test_unbonding_worker_can_settle(market: Market, requester: str) -> None:
    job_id = market.submit()
    with boa.env.prank(market.operator):
        market.system.workers.begin_unbonding(market.worker)
    market.settle([market.result(job_id)])
    assert market.jobs.job_status(job_id) == STATUS_SETTLED
    assert market.jobs.claimable(market.operator) == WORKER_PRICE


def test_settle_at_deadline(market: Market, requester: str) -> None:
    job_id = market.submit()
    boa.env.time_travel(seconds=3_600)
    market.settle([market.result(job_id)])
    assert market.jobs.job_status(job_id) == STATUS_SETTLED


def test_batch_of_100_in_one_transaction(market: Market, requester: str) -> None:
    system, jobs = market.system, market.jobs
    price = price_of()
    system.fund(requester, 100 * price)
    with boa.env.prank(requester):
        ids = [jobs.submit(market.request(max_fee=price)) for _ in range(100)]
    results = [market.result(job_id) for job_id in ids]

    # Within a 30M-gas block.
    market.settle(results, gas=30_000_000)

    assert len(events(jobs, "JobSettled")) == 100
    assert all(jobs.job_status(job_id) == STATUS_SETTLED for job_id in ids)
    assert jobs.claimable(market.operator) == 100 * WORKER_PRICE
    assert jobs.claimable(market.model_owner) == 100 * MODEL_PRICE
    assert jobs.claimable(system.treasury) == 100 * _fee(MODEL_PRICE + WORKER_PRICE)
    assert jobs.escrowed() == 0
    assert_conserved(system)


# --- reverts -----------------------------------------------------------------------------------


def test_empty_batch(market: Market) -> None:
    with boa.reverts("Jobs: empty batch"):
        market.settle([])


def test_invalid_signature_wrong_key(market: Market, requester: str) -> None:
    job_id = market.submit()
    results = [market.result(job_id)]
    signature = sign_digest(keccak(b"not the enclave"), market.digest(market.worker, results))
    with boa.reverts("Jobs: invalid result signature"):
        market.settle_raw(results, signature)


@pytest.mark.parametrize(
    "tamper",
    [
        {"result_hash": keccak(b"forged")},
        {"result_uri": "blob://forged"},
        {"status": 1},
        {"job_id": 2},
    ],
    ids=["result_hash", "result_uri", "status", "job_id"],
)
def test_invalid_signature_tampered_result(
    market: Market, requester: str, tamper: dict[str, Any]
) -> None:
    first, second = market.submit(), market.submit()
    assert second == 2
    signed = market.result(first)
    signature = market.system.sign_batch(market.key, [signed])
    tampered = dataclasses.replace(signed, **tamper)
    with boa.reverts("Jobs: invalid result signature"):
        market.settle_raw([tampered], signature)
    market.settle_raw([signed], signature)  # the untampered batch was valid
    assert market.jobs.job_status(first) == STATUS_SETTLED


def test_invalid_signature_dropped_result(market: Market, requester: str) -> None:
    first, second = market.submit(), market.submit()
    results = [market.result(first), market.result(second)]
    signature = market.system.sign_batch(market.key, results)
    with boa.reverts("Jobs: invalid result signature"):
        market.settle_raw(results[:1], signature)


def test_invalid_signature_from_another_worker(market: Market, requester: str) -> None:
    job_id = market.submit()
    results = [market.result(job_id)]
    # A valid signature by the other (certified) worker over its own batch.
    signature = market.system.sign_batch(market.other_key, results)
    with boa.reverts("Jobs: invalid result signature"):
        market.settle_raw(results, signature)


def test_invalid_signature_over_another_workers_batch(market: Market, requester: str) -> None:
    job_id = market.submit()
    results = [market.result(job_id)]
    signature = sign_digest(market.key, market.digest(market.other_worker, results))
    with boa.reverts("Jobs: invalid result signature"):
        market.settle_raw(results, signature)


@pytest.mark.parametrize("domain_change", ["chain_id", "contract", "name", "version"])
def test_invalid_signature_other_domain(market: Market, requester: str, domain_change: str) -> None:
    job_id = market.submit()
    results = [market.result(job_id)]
    good = market.system.domain(market.jobs, "veritee Jobs")
    domain = {
        "chain_id": Domain(good.name, good.version, good.chain_id + 1, good.verifying_contract),
        "contract": Domain(good.name, good.version, good.chain_id, market.system.token.address),
        "name": Domain("veritee Workers", good.version, good.chain_id, good.verifying_contract),
        "version": Domain(good.name, "2", good.chain_id, good.verifying_contract),
    }[domain_change]
    signature = sign_digest(market.key, batch_digest(domain, market.worker, results))
    with boa.reverts("Jobs: invalid result signature"):
        market.settle_raw(results, signature)


def test_invalid_signature_64_bytes(market: Market, requester: str) -> None:
    job_id = market.submit()
    results = [market.result(job_id)]
    signature = market.system.sign_batch(market.key, results)
    with boa.reverts("Jobs: invalid result signature"):
        market.settle_raw(results, signature[:64])


def test_invalid_signature_high_s(market: Market, requester: str) -> None:
    job_id = market.submit()
    results = [market.result(job_id)]
    digest = market.digest(market.worker, results)
    signature = market.system.sign_batch(market.key, results)
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    twin_s, twin_v = SECP256K1_N - s, 55 - v
    # The malleable twin is a valid ECDSA signature by the same key ...
    twin = keys.Signature(vrs=(twin_v - 27, int.from_bytes(r, "big"), twin_s))
    assert twin.recover_public_key_from_msg_hash(digest).to_checksum_address() == market.worker
    # ... which the contract refuses.
    with boa.reverts("Jobs: invalid result signature"):
        market.settle_raw(results, r + twin_s.to_bytes(32, "big") + bytes([twin_v]))


def test_invalid_signature_v_not_27_or_28(market: Market, requester: str) -> None:
    job_id = market.submit()
    results = [market.result(job_id)]
    signature = market.system.sign_batch(market.key, results)
    with boa.reverts("Jobs: invalid result signature"):
        market.settle_raw(results, signature[:64] + bytes([signature[64] - 27]))


def test_unregistered_worker(market: Market, requester: str) -> None:
    job_id = market.submit()
    with boa.reverts("Workers: worker not registered"):
        market.settle([market.result(job_id)], key=keccak(b"stranger enclave"))


def test_unknown_job(market: Market) -> None:
    with boa.reverts("Jobs: unknown job"):
        market.settle([market.result(1)])


def test_settle_twice(market: Market, requester: str) -> None:
    job_id = market.submit()
    market.settle([market.result(job_id)])
    with boa.reverts("Jobs: job not pending"):
        market.settle([market.result(job_id, result_hash=keccak(b"again"))])
    assert market.jobs.claimable(market.operator) == WORKER_PRICE


def test_settle_failed_job_again(market: Market, requester: str) -> None:
    job_id = market.submit()
    market.settle([market.result(job_id, status=1)])
    with boa.reverts("Jobs: job not pending"):
        market.settle([market.result(job_id)])


def test_duplicate_job_in_batch(market: Market, requester: str) -> None:
    job_id = market.submit()
    with boa.reverts("Jobs: job not pending"):
        market.settle([market.result(job_id), market.result(job_id, status=1)])
    assert market.jobs.job_status(job_id) == STATUS_PENDING


def test_settle_after_expire(market: Market, requester: str) -> None:
    job_id = market.submit()
    boa.env.time_travel(seconds=3_601)
    market.jobs.expire(job_id)
    with boa.reverts("Jobs: job not pending"):
        market.settle([market.result(job_id)])


def test_job_not_assigned_to_worker(market: Market, requester: str) -> None:
    job_id = market.submit(worker=market.other_worker)
    with boa.reverts("Jobs: job not assigned to worker"):
        market.settle([market.result(job_id)])


def test_batch_is_atomic(market: Market, requester: str) -> None:
    mine = market.submit()
    theirs = market.submit(worker=market.other_worker)
    with boa.reverts("Jobs: job not assigned to worker"):
        market.settle([market.result(mine), market.result(theirs)])
    assert market.jobs.job_status(mine) == STATUS_PENDING
    assert market.jobs.claimable(market.operator) == 0


def test_job_past_deadline(market: Market, requester: str) -> None:
    job_id = market.submit()
    boa.env.time_travel(seconds=3_601)
    with boa.reverts("Jobs: job past deadline"):
        market.settle([market.result(job_id)])


def test_worker_measurement_no_longer_allowed(market: Market, requester: str) -> None:
    job_id = market.submit()
    with boa.env.prank(market.system.owner):
        market.system.policy.set_measurement(KIND_SIMULATED, MEASUREMENT, False)
    with boa.reverts("TeePolicy: measurement not allowed"):
        market.settle([market.result(job_id)])


def test_worker_certificate_expired(market: Market, requester: str) -> None:
    worker, key = register_short_lived_worker(market.system, market.model_id, lifetime=600)
    job_id = market.submit(worker=worker)
    boa.env.time_travel(seconds=600)
    with boa.reverts("Workers: certificate expired"):
        market.settle([market.result(job_id)], key=key)


def test_withdrawn_worker(market: Market, requester: str) -> None:
    job_id = market.submit(deadline=int(boa.env.evm.patch.timestamp) + 86_400)
    with boa.env.prank(market.operator):
        market.system.workers.begin_unbonding(market.worker)
    boa.env.time_travel(seconds=UNBONDING_DELAY)
    with boa.env.prank(market.operator):
        market.system.workers.withdraw_bond(market.worker)
    with boa.reverts("Workers: worker not registered"):
        market.settle([market.result(job_id)])


# --- callbacks ---------------------------------------------------------------------------------


def test_callback_receives_job_outcome(market: Market, requester: str) -> None:
    recorder = callbacks.deploy(callbacks.RECORDER)
    gas_limit = 200_000
    job_id = market.submit(callback=recorder.address, callback_gas_limit=gas_limit)

    market.settle([market.result(job_id)])

    assert events(market.jobs, "CallbackFailed") == []
    assert recorder.calls() == 1
    assert recorder.last_job_id() == job_id
    assert recorder.last_status() == STATUS_SETTLED
    assert recorder.last_result_hash() == RESULT_HASH
    assert recorder.last_caller() == market.jobs.address
    # Called with its gas cap, not with everything the relayer sent.
    assert gas_limit - 1_000 < recorder.gas_at_entry() <= gas_limit


def test_callback_can_read_the_settled_job(market: Market, requester: str) -> None:
    reader = callbacks.deploy(callbacks.READER)
    job_id = market.submit(callback=reader.address, callback_gas_limit=200_000)
    market.settle([market.result(job_id)])
    assert events(market.jobs, "CallbackFailed") == []
    assert reader.seen_status() == STATUS_SETTLED


def test_callback_on_failed_result(market: Market, requester: str) -> None:
    recorder = callbacks.deploy(callbacks.RECORDER)
    job_id = market.submit(callback=recorder.address, callback_gas_limit=200_000)
    market.settle([market.result(job_id, status=9, result_hash=keccak(b"err"))])
    assert recorder.last_job_id() == job_id
    assert recorder.last_status() == STATUS_FAILED
    assert recorder.last_result_hash() == keccak(b"err")


def test_callbacks_run_for_every_job_in_batch(market: Market, requester: str) -> None:
    recorder = callbacks.deploy(callbacks.RECORDER)
    first = market.submit(callback=recorder.address, callback_gas_limit=200_000)
    plain = market.submit()
    last = market.submit(callback=recorder.address, callback_gas_limit=200_000)
    market.settle([market.result(first), market.result(plain), market.result(last)])
    assert recorder.calls() == 2
    assert recorder.last_job_id() == last


def test_callback_to_account_without_code(market: Market, requester: str) -> None:
    job_id = market.submit(callback=market.system.actor("eoa"), callback_gas_limit=10_000)
    market.settle([market.result(job_id)])
    assert events(market.jobs, "CallbackFailed") == []
    assert market.jobs.job_status(job_id) == STATUS_SETTLED


def test_reverting_callback_does_not_block_settlement(market: Market, requester: str) -> None:
    reverter = callbacks.deploy(callbacks.REVERTER)
    recorder = callbacks.deploy(callbacks.RECORDER)
    bad = market.submit(callback=reverter.address, callback_gas_limit=200_000)
    good = market.submit(callback=recorder.address, callback_gas_limit=200_000)

    market.settle([market.result(bad), market.result(good)])

    failed = single_event(market.jobs, "CallbackFailed")
    assert (failed.job_id, failed.callback) == (bad, reverter.address)
    assert len(events(market.jobs, "JobSettled")) == 2
    assert market.jobs.job_status(bad) == STATUS_SETTLED
    assert recorder.last_job_id() == good
    assert market.jobs.claimable(requester) == 2 * (MAX_FEE - price_of())
    assert_conserved(market.system)


def test_gas_burning_callback_does_not_block_settlement(market: Market, requester: str) -> None:
    burner = callbacks.deploy(callbacks.GAS_BURNER)
    job_id = market.submit(callback=burner.address, callback_gas_limit=200_000)
    market.settle([market.result(job_id)])
    failed = single_event(market.jobs, "CallbackFailed")
    assert (failed.job_id, failed.callback) == (job_id, burner.address)
    assert market.jobs.job_status(job_id) == STATUS_SETTLED
    assert burner.counter() == 0
    assert_conserved(market.system)


def test_callback_cannot_reenter_claim(market: Market) -> None:
    system, jobs = market.system, market.jobs
    attacker = callbacks.deploy(callbacks.REENTRANT)
    attacker.arm(jobs.address, _CLAIM_SELECTOR, False)
    # The callback contract is its own requester, so it has a refund to claim when called.
    job_id = system.submit(
        attacker.address,
        market.worker,
        market.model_id,
        callback=attacker.address,
        callback_gas_limit=200_000,
    )

    market.settle([market.result(job_id)])

    assert events(jobs, "CallbackFailed") == []
    assert attacker.attempts() == 1
    assert not attacker.reentered()
    refund = MAX_FEE - price_of()
    assert jobs.claimable(attacker.address) == refund
    assert system.token.balanceOf(attacker.address) == 0
    # Outside settlement the same payload claims: the lock, not the payload, stopped it.
    attacker.onJobSettled(job_id, STATUS_SETTLED, RESULT_HASH)
    assert attacker.reentered()
    assert system.token.balanceOf(attacker.address) == refund
    assert_conserved(system)


def test_callback_cannot_reenter_settle(market: Market, requester: str) -> None:
    jobs = market.jobs
    attacker = callbacks.deploy(callbacks.REENTRANT)
    target = market.submit(callback=attacker.address, callback_gas_limit=200_000)
    other = market.submit()
    other_results = [market.result(other)]
    signature = market.system.sign_batch(market.key, other_results)
    attacker.arm(jobs.address, _settle_calldata(market.worker, other_results, signature), False)

    market.settle([market.result(target)])

    assert attacker.attempts() == 1
    assert not attacker.reentered()
    assert jobs.job_status(other) == STATUS_PENDING
    # The payload itself is a valid settlement.
    attacker.onJobSettled(target, STATUS_SETTLED, RESULT_HASH)
    assert attacker.reentered()
    assert jobs.job_status(other) == STATUS_SETTLED
    assert_conserved(market.system)


def test_failed_reentry_reverting_callback_is_logged(market: Market, requester: str) -> None:
    attacker = callbacks.deploy(callbacks.REENTRANT)
    attacker.arm(market.jobs.address, _CLAIM_SELECTOR, True)
    job_id = market.submit(callback=attacker.address, callback_gas_limit=200_000)
    market.settle([market.result(job_id)])
    failed = single_event(market.jobs, "CallbackFailed")
    assert (failed.job_id, failed.callback) == (job_id, attacker.address)
    assert market.jobs.job_status(job_id) == STATUS_SETTLED
    assert attacker.attempts() == 0


def test_insufficient_gas_for_callback(market: Market, requester: str) -> None:
    recorder = callbacks.deploy(callbacks.RECORDER)
    job_id = market.submit(callback=recorder.address, callback_gas_limit=MAX_CALLBACK_GAS)
    with boa.reverts("Jobs: insufficient gas for callback"):
        market.settle([market.result(job_id)], gas=MAX_CALLBACK_GAS)
    assert market.jobs.job_status(job_id) == STATUS_PENDING
    assert recorder.calls() == 0


def test_relayer_cannot_starve_callback(market: Market, requester: str) -> None:
    """At the least gas that settles at all, the callback still gets its whole cap."""
    recorder = callbacks.deploy(callbacks.RECORDER)
    cap = MAX_CALLBACK_GAS
    job_id = market.submit(callback=recorder.address, callback_gas_limit=cap)
    results = [market.result(job_id)]

    def settles(gas: int) -> bool:
        with boa.env.anchor():
            try:
                market.settle(results, gas=gas)
            except boa.BoaError:
                return False
            return True

    low, high = cap, 2 * cap  # fails, succeeds
    assert not settles(low) and settles(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if settles(middle) else (middle, high)

    with boa.reverts("Jobs: insufficient gas for callback"):
        market.settle(results, gas=low)
    market.settle(results, gas=high)
    assert events(market.jobs, "CallbackFailed") == []
    assert recorder.calls() == 1
    assert cap - 1_000 < recorder.gas_at_entry() <= cap
