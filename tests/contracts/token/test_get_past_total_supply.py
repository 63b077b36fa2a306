"""Token.getPastTotalSupply: total supply at the end of a past timestamp."""

import boa

from tests.contracts.token.conftest import INITIAL_SUPPLY, now


def test_default_behavior(token, owner):
    deployed = now()
    boa.env.time_travel(seconds=50)
    minted = now()
    with boa.env.prank(owner):
        token.mint(owner, 1_000)
    boa.env.time_travel(seconds=50)
    burnt = now()
    with boa.env.prank(owner):
        token.burn(400)
    boa.env.time_travel(seconds=1)

    assert token.getPastTotalSupply(deployed - 1) == 0
    assert token.getPastTotalSupply(deployed) == INITIAL_SUPPLY
    assert token.getPastTotalSupply(minted - 1) == INITIAL_SUPPLY
    assert token.getPastTotalSupply(minted) == INITIAL_SUPPLY + 1_000
    assert token.getPastTotalSupply(burnt) == INITIAL_SUPPLY + 600
    assert token.totalSupply() == INITIAL_SUPPLY + 600


def test_same_timestamp_overwrites(token, owner):
    boa.env.time_travel(seconds=10)
    with boa.env.prank(owner):
        token.mint(owner, 1_000)
        token.burn(300)
    at = now()
    boa.env.time_travel(seconds=1)
    assert token.getPastTotalSupply(at) == INITIAL_SUPPLY + 700
    assert token.getPastTotalSupply(at - 1) == INITIAL_SUPPLY


def test_transfers_do_not_change_supply(token, owner, alice):
    start = now()
    boa.env.time_travel(seconds=10)
    with boa.env.prank(owner):
        token.transfer(alice, 5)
    boa.env.time_travel(seconds=1)
    assert token.getPastTotalSupply(now() - 1) == token.getPastTotalSupply(start)


def test_revert_future_lookup(token):
    with boa.reverts("Token: future lookup"):
        token.getPastTotalSupply(now())
