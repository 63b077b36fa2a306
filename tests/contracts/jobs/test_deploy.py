"""`Jobs.__init__`: wiring, initial parameters, their validation and events."""

from typing import Any

import boa
import pytest

from tests.contracts.conftest import (
    MAX_CALLBACK_GAS,
    MAX_JOB_DURATION,
    PROTOCOL_FEE_BPS,
    SLASH_AMOUNT,
    SLASHER_REWARD_BPS,
    UNBONDING_DELAY,
    System,
)
from tests.contracts.jobs.conftest import ZERO_ADDRESS, events
from veritee.chain.compiler import contracts_dir


@pytest.fixture(scope="module")
def deployer() -> Any:
    return boa.load_partial(str(contracts_dir() / "Jobs.vy"))


def _deploy(system: System, deployer: Any, **overrides: Any) -> Any:
    args: dict[str, Any] = {
        "token": system.token.address,
        "workers": system.workers.address,
        "models": system.models.address,
        "capsules": system.capsules.address,
        "treasury": system.treasury,
        "protocol_fee_bps": PROTOCOL_FEE_BPS,
        "slash_amount": SLASH_AMOUNT,
        "slasher_reward_bps": SLASHER_REWARD_BPS,
        "max_job_duration": MAX_JOB_DURATION,
        "max_callback_gas": MAX_CALLBACK_GAS,
    }
    args.update(overrides)
    with boa.env.prank(system.owner):
        return deployer.deploy(*args.values())


def test_default_behavior(system: System, deployer: Any) -> None:
    jobs = _deploy(system, deployer)
    assert jobs.owner() == system.owner
    assert jobs.token() == system.token.address
    assert jobs.workers() == system.workers.address
    assert jobs.models() == system.models.address
    assert jobs.capsules() == system.capsules.address
    assert jobs.treasury() == system.treasury
    assert jobs.protocol_fee_bps() == PROTOCOL_FEE_BPS
    assert jobs.slash_amount() == SLASH_AMOUNT
    assert jobs.slasher_reward_bps() == SLASHER_REWARD_BPS
    assert jobs.max_job_duration() == MAX_JOB_DURATION
    assert jobs.max_callback_gas() == MAX_CALLBACK_GAS
    assert (jobs.job_count(), jobs.escrowed(), jobs.total_claimable()) == (0, 0, 0)


def test_deploy_events(system: System, deployer: Any) -> None:
    jobs = _deploy(system, deployer)
    assert [e.treasury for e in events(jobs, "TreasurySet")] == [system.treasury]
    assert [e.bps for e in events(jobs, "ProtocolFeeSet")] == [PROTOCOL_FEE_BPS]
    assert [e.amount for e in events(jobs, "SlashAmountSet")] == [SLASH_AMOUNT]
    assert [e.bps for e in events(jobs, "SlasherRewardSet")] == [SLASHER_REWARD_BPS]
    assert [e.seconds for e in events(jobs, "MaxJobDurationSet")] == [MAX_JOB_DURATION]
    assert [e.gas_limit for e in events(jobs, "MaxCallbackGasSet")] == [MAX_CALLBACK_GAS]


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"treasury": ZERO_ADDRESS}, "Jobs: zero address"),
        ({"protocol_fee_bps": 2_001}, "Jobs: protocol fee too high"),
        ({"slasher_reward_bps": 10_001}, "Jobs: slasher reward above 100%"),
        ({"max_job_duration": 0}, "Jobs: duration must be positive"),
        (
            {"max_job_duration": UNBONDING_DELAY},
            "Jobs: duration not shorter than unbonding delay",
        ),
        ({"max_callback_gas": 5_000_001}, "Jobs: callback gas cap too high"),
    ],
)
def test_invalid_parameters(
    system: System, deployer: Any, override: dict[str, Any], reason: str
) -> None:
    with boa.reverts(reason):
        _deploy(system, deployer, **override)
