"""TeePolicy.is_allowed: the verdict of `check`, as a boolean instead of a revert."""

import boa
from boa.contracts.base_evm_contract import BoaError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.contracts.tee_policy.conftest import (
    KIND_SIMULATED,
    KIND_TDX,
    OTHER_MEASUREMENT,
    TDX_MEASUREMENT,
    UP_TO_DATE,
)


def test_default_behavior(policy):
    assert policy.is_allowed(KIND_TDX, TDX_MEASUREMENT, UP_TO_DATE) is True
    assert policy.is_allowed(KIND_TDX, OTHER_MEASUREMENT, UP_TO_DATE) is False
    assert policy.is_allowed(KIND_TDX, TDX_MEASUREMENT, 4) is False
    assert policy.is_allowed(4, TDX_MEASUREMENT, UP_TO_DATE) is False


def test_simulated_follows_switch(policy, owner):
    with boa.env.prank(owner):
        policy.set_measurement(KIND_SIMULATED, OTHER_MEASUREMENT, True)
    assert policy.is_allowed(KIND_SIMULATED, OTHER_MEASUREMENT, UP_TO_DATE) is False
    with boa.env.prank(owner):
        policy.set_allow_simulated(True)
    assert policy.is_allowed(KIND_SIMULATED, OTHER_MEASUREMENT, UP_TO_DATE) is True


@settings(max_examples=60, deadline=None)
@given(
    allow_simulated=st.booleans(),
    accepted=st.sets(st.integers(0, 6)),
    allowed=st.sets(st.integers(0, 3)),
    kind=st.integers(0, 5),
    status=st.integers(0, 8),
    known_measurement=st.booleans(),
)
def test_mirrors_check(
    policy, owner, allow_simulated, accepted, allowed, kind, status, known_measurement
):
    measurement = TDX_MEASUREMENT if known_measurement else OTHER_MEASUREMENT
    with boa.env.prank(owner):
        policy.set_allow_simulated(allow_simulated)
        policy.set_measurement(KIND_TDX, TDX_MEASUREMENT, False)
        for tee_kind in allowed:
            policy.set_measurement(tee_kind, TDX_MEASUREMENT, True)
        for tcb_status in range(7):
            policy.set_tcb_accepted(tcb_status, tcb_status in accepted)
    try:
        admitted = policy.check(kind, measurement, status)
    except BoaError:
        admitted = False
    assert policy.is_allowed(kind, measurement, status) is admitted
    expected = (
        kind <= 3
        and (kind != KIND_SIMULATED or allow_simulated)
        and known_measurement
        and kind in allowed
        and status in accepted
    )
    assert admitted is expected
