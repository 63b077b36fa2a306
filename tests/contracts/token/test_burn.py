"""Token.burn: destroys the caller's tokens; supply and votes are checkpointed."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import INITIAL_SUPPLY, ZERO, delegate, give, now


def test_default_behavior(token, owner, alice):
    give(token, owner, alice, 100)
    with boa.env.prank(alice):
        token.burn(40)
    assert events(token) == [("Transfer", {"sender": alice, "receiver": ZERO, "value": 40})]
    assert token.balanceOf(alice) == 60
    assert token.totalSupply() == INITIAL_SUPPLY - 40


def test_removes_votes_of_delegate(token, owner, alice, bob):
    give(token, owner, alice, 100)
    delegate(token, alice, bob)
    with boa.env.prank(alice):
        token.burn(40)
    assert events(token)[1:] == [
        ("DelegateVotesChanged", {"delegate": bob, "previous_votes": 100, "new_votes": 60}),
    ]
    assert token.getVotes(bob) == 60


def test_checkpoints_supply(token, owner):
    boa.env.time_travel(seconds=10)
    burnt_at = now()
    with boa.env.prank(owner):
        token.burn(1_000)
    boa.env.time_travel(seconds=1)
    assert token.getPastTotalSupply(burnt_at - 1) == INITIAL_SUPPLY
    assert token.getPastTotalSupply(burnt_at) == INITIAL_SUPPLY - 1_000


def test_revert_amount_exceeds_balance(token, owner, alice):
    give(token, owner, alice, 10)
    with boa.env.prank(alice), boa.reverts("erc20: burn amount exceeds balance"):
        token.burn(11)
