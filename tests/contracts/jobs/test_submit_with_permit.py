"""`Jobs.submit_with_permit`: escrow approved by an EIP-2612 permit in the same call."""

import boa

from tests.contracts.conftest import TOKEN
from tests.contracts.jobs.conftest import (
    MAX_FEE,
    STATUS_PENDING,
    Market,
    assert_conserved,
    sign_permit,
    single_event,
)

HOUR = 3_600


def _funded(market: Market) -> str:
    market.system.fund(market.requester, MAX_FEE)
    return market.requester


def _deadline() -> int:
    return int(boa.env.evm.patch.timestamp) + HOUR


def test_default_behavior(market: Market) -> None:
    system, jobs = market.system, market.jobs
    requester = _funded(market)
    assert system.token.allowance(requester, jobs.address) == 0
    v, r, s = sign_permit(system, "requester", jobs.address, MAX_FEE, _deadline())

    with boa.env.prank(requester):
        job_id = jobs.submit_with_permit(market.request(), _deadline(), v, r, s)

    event = single_event(jobs, "JobSubmitted")
    assert event.job_id == job_id == 1
    assert event.requester == requester
    assert event.max_fee == MAX_FEE
    assert jobs.job_status(job_id) == STATUS_PENDING
    assert system.token.nonces(requester) == 1
    assert system.token.allowance(requester, jobs.address) == 0
    assert system.token.balanceOf(requester) == 0
    assert jobs.escrowed() == MAX_FEE
    assert_conserved(system)


def test_front_run_permit_still_works(market: Market) -> None:
    system, jobs = market.system, market.jobs
    requester = _funded(market)
    deadline = _deadline()
    v, r, s = sign_permit(system, "requester", jobs.address, MAX_FEE, deadline)
    # Someone submits the permit first: the allowance exists, the nonce is spent.
    with boa.env.prank(system.actor("front-runner")):
        system.token.permit(requester, jobs.address, MAX_FEE, deadline, v, r, s)
    assert system.token.allowance(requester, jobs.address) == MAX_FEE

    with boa.env.prank(requester):
        job_id = jobs.submit_with_permit(market.request(), deadline, v, r, s)

    assert jobs.job_status(job_id) == STATUS_PENDING
    assert system.token.nonces(requester) == 1
    assert system.token.allowance(requester, jobs.address) == 0
    assert jobs.escrowed() == MAX_FEE


def test_invalid_permit_with_prior_allowance_works(market: Market) -> None:
    system, jobs = market.system, market.jobs
    requester = _funded(market)
    system.approve(requester, jobs, MAX_FEE)
    with boa.env.prank(requester):
        job_id = jobs.submit_with_permit(
            market.request(), _deadline(), 27, b"\x01" * 32, b"\x02" * 32
        )
    assert jobs.job_status(job_id) == STATUS_PENDING
    assert system.token.nonces(requester) == 0


def test_invalid_permit_without_allowance(market: Market) -> None:
    requester = _funded(market)
    with boa.env.prank(requester), boa.reverts("erc20: insufficient allowance"):
        market.jobs.submit_with_permit(
            market.request(), _deadline(), 27, b"\x01" * 32, b"\x02" * 32
        )


def test_expired_permit(market: Market) -> None:
    system = market.system
    requester = _funded(market)
    deadline = int(boa.env.evm.patch.timestamp) - 1
    v, r, s = sign_permit(system, "requester", market.jobs.address, MAX_FEE, deadline)
    with boa.env.prank(requester), boa.reverts("erc20: insufficient allowance"):
        market.jobs.submit_with_permit(market.request(), deadline, v, r, s)


def test_permit_for_a_smaller_amount(market: Market) -> None:
    system = market.system
    requester = _funded(market)
    # The contract asks the token for a permit of exactly max_fee, so this signature fails.
    v, r, s = sign_permit(system, "requester", market.jobs.address, MAX_FEE - TOKEN, _deadline())
    with boa.env.prank(requester), boa.reverts("erc20: insufficient allowance"):
        market.jobs.submit_with_permit(market.request(), _deadline(), v, r, s)


def test_permit_is_only_valid_for_its_signer(market: Market) -> None:
    system = market.system
    _funded(market)
    v, r, s = sign_permit(system, "requester", market.jobs.address, MAX_FEE, _deadline())
    thief = system.actor("thief")
    system.fund(thief, MAX_FEE)
    # The permit names the caller as owner, so a stolen signature approves nothing.
    with boa.env.prank(thief), boa.reverts("erc20: insufficient allowance"):
        market.jobs.submit_with_permit(market.request(), _deadline(), v, r, s)
    assert system.token.allowance(market.requester, market.jobs.address) == 0


def test_submit_validation_still_applies(market: Market) -> None:
    system = market.system
    requester = _funded(market)
    v, r, s = sign_permit(system, "requester", market.jobs.address, MAX_FEE, _deadline())
    with boa.env.prank(requester), boa.reverts("Jobs: empty input hash"):
        market.jobs.submit_with_permit(
            market.request(input_hash=b"\x00" * 32), _deadline(), v, r, s
        )
    # The whole call reverted, permit included.
    assert system.token.nonces(requester) == 0
    assert system.token.allowance(requester, market.jobs.address) == 0
