"""TeePolicy.set_measurement (and `allowed_measurement`): per-kind allow-list of measurements."""

import boa
import pytest

from tests.contracts.event_assertions import events
from tests.contracts.tee_policy.conftest import (
    KIND_DSTACK,
    KIND_SGX,
    KIND_TDX,
    OTHER_MEASUREMENT,
    TDX_MEASUREMENT,
)


def test_default_behavior(policy, owner):
    assert not policy.allowed_measurement(KIND_SGX, OTHER_MEASUREMENT)
    with boa.env.prank(owner):
        policy.set_measurement(KIND_SGX, OTHER_MEASUREMENT, True)
    assert events(policy) == [
        (
            "MeasurementSet",
            {
                "tee_kind": KIND_SGX,
                "measurement": OTHER_MEASUREMENT,
                "measurement_id": policy.measurement_count(),
                "allowed": True,
            },
        ),
    ]
    assert policy.allowed_measurement(KIND_SGX, OTHER_MEASUREMENT)
    # Allowing a measurement for one kind says nothing about another.
    assert not policy.allowed_measurement(KIND_DSTACK, OTHER_MEASUREMENT)


def test_disallow(policy, owner):
    with boa.env.prank(owner):
        policy.set_measurement(KIND_TDX, TDX_MEASUREMENT, False)
    assert events(policy) == [
        (
            "MeasurementSet",
            {
                "tee_kind": KIND_TDX,
                "measurement": TDX_MEASUREMENT,
                "measurement_id": policy.measurement_id(KIND_TDX, TDX_MEASUREMENT),
                "allowed": False,
            },
        ),
    ]
    assert not policy.allowed_measurement(KIND_TDX, TDX_MEASUREMENT)


def test_role_access(policy, stranger):
    with boa.env.prank(stranger), boa.reverts("ownable: caller is not the owner"):
        policy.set_measurement(KIND_TDX, OTHER_MEASUREMENT, True)


@pytest.mark.parametrize("kind", [4, 255])
def test_revert_unknown_kind(policy, owner, kind):
    with boa.env.prank(owner), boa.reverts("TeePolicy: unknown TEE kind"):
        policy.set_measurement(kind, OTHER_MEASUREMENT, True)


def test_revert_empty_measurement(policy, owner):
    with boa.env.prank(owner), boa.reverts("TeePolicy: empty measurement"):
        policy.set_measurement(KIND_TDX, b"\x00" * 32, True)


def test_ids_are_stable_and_per_kind(policy, owner):
    before = policy.measurement_count()
    with boa.env.prank(owner):
        policy.set_measurement(KIND_SGX, OTHER_MEASUREMENT, True)
        policy.set_measurement(KIND_DSTACK, OTHER_MEASUREMENT, True)
        policy.set_measurement(KIND_SGX, OTHER_MEASUREMENT, False)
        policy.set_measurement(KIND_SGX, OTHER_MEASUREMENT, True)
    assert policy.measurement_count() == before + 2
    sgx_id = policy.measurement_id(KIND_SGX, OTHER_MEASUREMENT)
    dstack_id = policy.measurement_id(KIND_DSTACK, OTHER_MEASUREMENT)
    assert (sgx_id, dstack_id) == (before + 1, before + 2)
    entry = policy.measurements(sgx_id)
    assert (entry.tee_kind, entry.value, entry.allowed) == (KIND_SGX, OTHER_MEASUREMENT, True)
    assert policy.check_id(sgx_id, 0)
    with boa.env.prank(owner):
        policy.set_measurement(KIND_SGX, OTHER_MEASUREMENT, False)
    with boa.reverts("TeePolicy: measurement not allowed"):
        policy.check_id(sgx_id, 0)
    with boa.reverts("TeePolicy: measurement not allowed"):
        policy.check_id(0, 0)
    with boa.reverts("TeePolicy: measurement not allowed"):
        policy.check_id(policy.measurement_count() + 1, 0)
