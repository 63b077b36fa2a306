"""Token.getVotes: current voting power, the latest checkpoint of a delegate."""

import boa

from tests.contracts.token.conftest import delegate, give


def test_default_behavior(token, owner, alice, bob):
    assert token.getVotes(alice) == 0
    give(token, owner, alice, 100)
    assert token.getVotes(alice) == 0  # a balance alone does not vote
    delegate(token, alice, alice)
    assert token.getVotes(alice) == 100
    boa.env.time_travel(seconds=5)
    with boa.env.prank(alice):
        token.transfer(bob, 25)
    assert token.getVotes(alice) == 75
    assert token.numCheckpoints(alice) == 2


def test_delegate_without_balance(token, owner, alice, bob):
    give(token, owner, alice, 100)
    delegate(token, alice, bob)
    assert token.getVotes(bob) == 100
    assert token.balanceOf(bob) == 0
    assert token.getVotes(alice) == 0
