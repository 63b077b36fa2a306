"""Fixtures for the TeePolicy tests: a policy that refuses simulated quotes, and one
measurement allowed for TDX.

The boa plugin anchors every test, so each test starts from the policy as deployed here.
"""

from __future__ import annotations

from typing import Any

import boa
import pytest
from eth_utils import keccak

from tests.contracts.conftest import DAY
from veritee.chain.compiler import contracts_dir

KIND_SIMULATED, KIND_TDX, KIND_SGX, KIND_DSTACK = 0, 1, 2, 3
UP_TO_DATE, SW_HARDENING_NEEDED, OUT_OF_DATE, REVOKED = 0, 1, 4, 6
LIFETIME = 30 * DAY
TDX_MEASUREMENT = keccak(b"tdx-measurement")
OTHER_MEASUREMENT = keccak(b"other-measurement")
ZERO = "0x" + "00" * 20


@pytest.fixture(scope="session")
def policy_deployer() -> Any:
    return boa.load_partial(contracts_dir() / "TeePolicy.vy")


@pytest.fixture(scope="module")
def owner() -> str:
    return str(boa.env.generate_address("policy-owner"))


@pytest.fixture(scope="module")
def stranger() -> str:
    return str(boa.env.generate_address("stranger"))


@pytest.fixture(scope="module")
def policy(policy_deployer: Any, owner: str) -> Any:
    with boa.env.prank(owner):
        policy = policy_deployer.deploy(False, LIFETIME)
        policy.set_measurement(KIND_TDX, TDX_MEASUREMENT, True)
    return policy
