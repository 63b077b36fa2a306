"""TeePolicy.admit: the registration-time check, with the certificate lifetime, returning the id."""

import boa

from tests.contracts.tee_policy.conftest import (
    KIND_SIMULATED,
    KIND_TDX,
    LIFETIME,
    OTHER_MEASUREMENT,
    SW_HARDENING_NEEDED,
    TDX_MEASUREMENT,
    UP_TO_DATE,
)


def test_default_behavior(policy):
    measurement_id = policy.admit(KIND_TDX, TDX_MEASUREMENT, UP_TO_DATE, LIFETIME)
    assert measurement_id == policy.measurement_id(KIND_TDX, TDX_MEASUREMENT)
    assert measurement_id != 0


def test_lifetime_too_long(policy):
    with boa.reverts("TeePolicy: certificate lifetime too long"):
        policy.admit(KIND_TDX, TDX_MEASUREMENT, UP_TO_DATE, LIFETIME + 1)


def test_same_reasons_as_check(policy):
    with boa.reverts("TeePolicy: measurement not allowed"):
        policy.admit(KIND_TDX, OTHER_MEASUREMENT, UP_TO_DATE, LIFETIME)
    with boa.reverts("TeePolicy: TCB status not accepted"):
        policy.admit(KIND_TDX, TDX_MEASUREMENT, SW_HARDENING_NEEDED, LIFETIME)
    with boa.reverts("TeePolicy: simulated quotes not accepted"):
        policy.admit(KIND_SIMULATED, TDX_MEASUREMENT, UP_TO_DATE, LIFETIME)
    with boa.reverts("TeePolicy: unknown TEE kind"):
        policy.admit(4, TDX_MEASUREMENT, UP_TO_DATE, LIFETIME)
