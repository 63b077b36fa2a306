"""Token.transferFrom: allowance spending, balances, events and delegated votes."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import ZERO, delegate, give

MAX_UINT256 = 2**256 - 1


def approve(token, holder, spender, amount):
    with boa.env.prank(holder):
        token.approve(spender, amount)


def test_default_behavior(token, owner, alice, bob, carol):
    give(token, owner, alice, 100)
    approve(token, alice, bob, 50)
    with boa.env.prank(bob):
        assert token.transferFrom(alice, carol, 20) is True
    assert events(token) == [
        ("Approval", {"owner": alice, "spender": bob, "value": 30}),
        ("Transfer", {"sender": alice, "receiver": carol, "value": 20}),
    ]
    assert token.allowance(alice, bob) == 30
    assert token.balanceOf(alice) == 80
    assert token.balanceOf(carol) == 20
    assert token.balanceOf(bob) == 0


def test_infinite_allowance_not_spent(token, owner, alice, bob):
    give(token, owner, alice, 100)
    approve(token, alice, bob, MAX_UINT256)
    with boa.env.prank(bob):
        token.transferFrom(alice, bob, 100)
    assert events(token) == [("Transfer", {"sender": alice, "receiver": bob, "value": 100})]
    assert token.allowance(alice, bob) == MAX_UINT256


def test_moves_votes_between_delegates(token, owner, alice, bob, carol):
    give(token, owner, alice, 100)
    delegate(token, alice, alice)
    delegate(token, carol, bob)
    approve(token, alice, bob, 100)
    with boa.env.prank(bob):
        token.transferFrom(alice, carol, 45)
    assert events(token)[2:] == [
        ("DelegateVotesChanged", {"delegate": alice, "previous_votes": 100, "new_votes": 55}),
        ("DelegateVotesChanged", {"delegate": bob, "previous_votes": 0, "new_votes": 45}),
    ]
    assert token.getVotes(alice) == 55
    assert token.getVotes(bob) == 45


def test_revert_insufficient_allowance(token, owner, alice, bob):
    give(token, owner, alice, 100)
    approve(token, alice, bob, 10)
    with boa.env.prank(bob), boa.reverts("erc20: insufficient allowance"):
        token.transferFrom(alice, bob, 11)


def test_revert_without_allowance(token, owner, bob):
    with boa.env.prank(bob), boa.reverts("erc20: insufficient allowance"):
        token.transferFrom(owner, bob, 1)


def test_revert_amount_exceeds_balance(token, owner, alice, bob):
    give(token, owner, alice, 10)
    approve(token, alice, bob, 100)
    with boa.env.prank(bob), boa.reverts("erc20: transfer amount exceeds balance"):
        token.transferFrom(alice, bob, 11)


def test_revert_to_zero_address(token, owner, bob):
    approve(token, owner, bob, 100)
    with boa.env.prank(bob), boa.reverts("erc20: transfer to the zero address"):
        token.transferFrom(owner, ZERO, 1)
