"""Token.transfer: balances, the Transfer event, and delegated votes following the tokens."""

import boa

from tests.contracts.conftest import TOKEN
from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import INITIAL_SUPPLY, ZERO, delegate, give


def test_default_behavior(token, owner, alice):
    with boa.env.prank(owner):
        assert token.transfer(alice, 7 * TOKEN) is True
    assert events(token) == [("Transfer", {"sender": owner, "receiver": alice, "value": 7 * TOKEN})]
    assert token.balanceOf(owner) == INITIAL_SUPPLY - 7 * TOKEN
    assert token.balanceOf(alice) == 7 * TOKEN
    assert token.totalSupply() == INITIAL_SUPPLY


def test_moves_votes_between_delegates(token, owner, alice, bob, carol):
    give(token, owner, alice, 100)
    delegate(token, alice, alice)
    delegate(token, bob, carol)
    with boa.env.prank(alice):
        token.transfer(bob, 30)
    assert events(token) == [
        ("Transfer", {"sender": alice, "receiver": bob, "value": 30}),
        ("DelegateVotesChanged", {"delegate": alice, "previous_votes": 100, "new_votes": 70}),
        ("DelegateVotesChanged", {"delegate": carol, "previous_votes": 0, "new_votes": 30}),
    ]
    assert token.getVotes(alice) == 70
    assert token.getVotes(carol) == 30
    assert token.getVotes(bob) == 0


def test_to_undelegated_account_drops_votes(token, owner, alice, bob):
    give(token, owner, alice, 100)
    delegate(token, alice, alice)
    with boa.env.prank(alice):
        token.transfer(bob, 40)
    assert events(token)[1:] == [
        ("DelegateVotesChanged", {"delegate": alice, "previous_votes": 100, "new_votes": 60}),
    ]
    assert token.getVotes(alice) == 60


def test_from_undelegated_account_adds_votes(token, owner, alice):
    delegate(token, alice, alice)
    with boa.env.prank(owner):
        token.transfer(alice, 25)
    assert events(token)[1:] == [
        ("DelegateVotesChanged", {"delegate": alice, "previous_votes": 0, "new_votes": 25}),
    ]


def test_same_delegate_keeps_votes(token, owner, alice, bob, carol):
    give(token, owner, alice, 100)
    delegate(token, alice, carol)
    delegate(token, bob, carol)
    with boa.env.prank(alice):
        token.transfer(bob, 60)
    assert [name for name, _ in events(token)] == ["Transfer"]
    assert token.getVotes(carol) == 100


def test_zero_amount(token, owner, alice):
    delegate(token, owner, owner)
    with boa.env.prank(owner):
        token.transfer(alice, 0)
    assert events(token) == [("Transfer", {"sender": owner, "receiver": alice, "value": 0})]
    assert token.getVotes(owner) == INITIAL_SUPPLY


def test_to_self(token, owner):
    delegate(token, owner, owner)
    with boa.env.prank(owner):
        token.transfer(owner, 10)
    assert token.balanceOf(owner) == INITIAL_SUPPLY
    assert token.getVotes(owner) == INITIAL_SUPPLY


def test_revert_amount_exceeds_balance(token, owner, alice, bob):
    give(token, owner, alice, 10)
    with boa.env.prank(alice), boa.reverts("erc20: transfer amount exceeds balance"):
        token.transfer(bob, 11)


def test_revert_to_zero_address(token, owner):
    with boa.env.prank(owner), boa.reverts("erc20: transfer to the zero address"):
        token.transfer(ZERO, 1)
