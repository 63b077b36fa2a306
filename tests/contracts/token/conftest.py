"""Fixtures for the Token tests: a fresh token whose owner holds the initial supply.

The boa plugin anchors every test, so each test starts from the token as deployed here.
"""

from __future__ import annotations

from typing import Any

import boa
import pytest

from tests.contracts.conftest import TOKEN, private_key
from veritee.chain.compiler import contracts_dir
from veritee.crypto.typed_data import address_of

INITIAL_SUPPLY = 1_000_000 * TOKEN
ZERO = "0x" + "00" * 20
ALICE_KEY = private_key("token:alice")
BOB_KEY = private_key("token:bob")


@pytest.fixture(scope="session")
def token_deployer() -> Any:
    return boa.load_partial(contracts_dir() / "Token.vy")


@pytest.fixture(scope="module")
def owner() -> str:
    return str(boa.env.generate_address("token-owner"))


@pytest.fixture(scope="module")
def alice() -> str:
    return address_of(ALICE_KEY)


@pytest.fixture(scope="module")
def bob() -> str:
    return address_of(BOB_KEY)


@pytest.fixture(scope="module")
def carol() -> str:
    return str(boa.env.generate_address("carol"))


@pytest.fixture(scope="module")
def token(token_deployer: Any, owner: str) -> Any:
    with boa.env.prank(owner):
        return token_deployer.deploy("veritee", "VRT", INITIAL_SUPPLY, owner)


def give(token: Any, owner: str, account: str, amount: int) -> None:
    """Moves ``amount`` from the owner's initial supply to ``account``."""
    with boa.env.prank(owner):
        token.transfer(account, amount)


def delegate(token: Any, account: str, delegatee: str) -> None:
    with boa.env.prank(account):
        token.delegate(delegatee)


def now() -> int:
    return int(boa.env.evm.patch.timestamp)
