"""TeePolicy.check: admits a TEE or reverts naming the first reason it does not."""

import boa
import pytest

from tests.contracts.tee_policy.conftest import (
    KIND_SIMULATED,
    KIND_TDX,
    OTHER_MEASUREMENT,
    OUT_OF_DATE,
    TDX_MEASUREMENT,
    UP_TO_DATE,
)


def test_default_behavior(policy):
    assert policy.check(KIND_TDX, TDX_MEASUREMENT, UP_TO_DATE) is True


def test_simulated_when_allowed(policy, owner):
    with boa.env.prank(owner):
        policy.set_allow_simulated(True)
        policy.set_measurement(KIND_SIMULATED, OTHER_MEASUREMENT, True)
    assert policy.check(KIND_SIMULATED, OTHER_MEASUREMENT, UP_TO_DATE) is True


def test_accepted_after_policy_change(policy, owner):
    with boa.env.prank(owner):
        policy.set_tcb_accepted(OUT_OF_DATE, True)
    assert policy.check(KIND_TDX, TDX_MEASUREMENT, OUT_OF_DATE) is True


def test_revert_simulated_not_accepted(policy, owner):
    # Even an allowed measurement does not admit simulated quotes while the switch is off.
    with boa.env.prank(owner):
        policy.set_measurement(KIND_SIMULATED, OTHER_MEASUREMENT, True)
    with boa.reverts("TeePolicy: simulated quotes not accepted"):
        policy.check(KIND_SIMULATED, OTHER_MEASUREMENT, UP_TO_DATE)


def test_revert_measurement_not_allowed(policy):
    with boa.reverts("TeePolicy: measurement not allowed"):
        policy.check(KIND_TDX, OTHER_MEASUREMENT, UP_TO_DATE)


def test_revert_measurement_of_other_kind(policy):
    with boa.reverts("TeePolicy: measurement not allowed"):
        policy.check(2, TDX_MEASUREMENT, UP_TO_DATE)


def test_revert_measurement_disallowed(policy, owner):
    with boa.env.prank(owner):
        policy.set_measurement(KIND_TDX, TDX_MEASUREMENT, False)
    with boa.reverts("TeePolicy: measurement not allowed"):
        policy.check(KIND_TDX, TDX_MEASUREMENT, UP_TO_DATE)


@pytest.mark.parametrize("status", [OUT_OF_DATE, 7, 255])
def test_revert_tcb_status_not_accepted(policy, status):
    with boa.reverts("TeePolicy: TCB status not accepted"):
        policy.check(KIND_TDX, TDX_MEASUREMENT, status)


@pytest.mark.parametrize("kind", [4, 255])
def test_revert_unknown_kind(policy, kind):
    with boa.reverts("TeePolicy: unknown TEE kind"):
        policy.check(kind, TDX_MEASUREMENT, UP_TO_DATE)
