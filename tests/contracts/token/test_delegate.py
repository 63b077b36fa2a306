"""Token.delegate (and `delegates`): choosing who votes with an account's balance."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import ZERO, delegate, give


def test_default_behavior(token, owner, alice):
    give(token, owner, alice, 100)
    with boa.env.prank(alice):
        token.delegate(alice)
    assert events(token) == [
        ("DelegateChanged", {"delegator": alice, "from_delegate": ZERO, "to_delegate": alice}),
        ("DelegateVotesChanged", {"delegate": alice, "previous_votes": 0, "new_votes": 100}),
    ]
    assert token.delegates(alice) == alice
    assert token.getVotes(alice) == 100


def test_redelegate_moves_votes(token, owner, alice, bob):
    give(token, owner, alice, 100)
    delegate(token, alice, alice)
    with boa.env.prank(alice):
        token.delegate(bob)
    assert events(token) == [
        ("DelegateChanged", {"delegator": alice, "from_delegate": alice, "to_delegate": bob}),
        ("DelegateVotesChanged", {"delegate": alice, "previous_votes": 100, "new_votes": 0}),
        ("DelegateVotesChanged", {"delegate": bob, "previous_votes": 0, "new_votes": 100}),
    ]
    assert token.getVotes(alice) == 0
    assert token.getVotes(bob) == 100


def test_delegate_to_zero_stops_counting(token, owner, alice, bob):
    give(token, owner, alice, 100)
    delegate(token, alice, bob)
    with boa.env.prank(alice):
        token.delegate(ZERO)
    assert events(token)[1:] == [
        ("DelegateVotesChanged", {"delegate": bob, "previous_votes": 100, "new_votes": 0}),
    ]
    assert token.delegates(alice) == ZERO
    assert token.getVotes(bob) == 0


def test_same_delegate_again(token, owner, alice, bob):
    give(token, owner, alice, 100)
    delegate(token, alice, bob)
    with boa.env.prank(alice):
        token.delegate(bob)
    assert events(token) == [
        ("DelegateChanged", {"delegator": alice, "from_delegate": bob, "to_delegate": bob}),
    ]
    assert token.getVotes(bob) == 100
    assert token.numCheckpoints(bob) == 1


def test_without_balance(token, alice, bob):
    with boa.env.prank(alice):
        token.delegate(bob)
    assert [name for name, _ in events(token)] == ["DelegateChanged"]
    assert token.delegates(alice) == bob
    assert token.numCheckpoints(bob) == 0


def test_votes_of_several_delegators_add_up(token, owner, alice, bob, carol):
    give(token, owner, alice, 100)
    give(token, owner, bob, 50)
    delegate(token, alice, carol)
    delegate(token, bob, carol)
    assert token.getVotes(carol) == 150
