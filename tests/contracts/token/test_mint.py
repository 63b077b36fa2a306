"""Token.mint: minters create tokens; supply and votes are checkpointed."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import INITIAL_SUPPLY, ZERO, delegate, now


def test_default_behavior(token, owner, alice):
    with boa.env.prank(owner):
        token.mint(alice, 500)
    assert events(token) == [("Transfer", {"sender": ZERO, "receiver": alice, "value": 500})]
    assert token.balanceOf(alice) == 500
    assert token.totalSupply() == INITIAL_SUPPLY + 500


def test_granted_minter_can_mint(token, owner, alice, bob):
    with boa.env.prank(owner):
        token.set_minter(alice, True)
    with boa.env.prank(alice):
        token.mint(bob, 9)
    assert token.balanceOf(bob) == 9


def test_role_access(token, alice, bob):
    with boa.env.prank(alice), boa.reverts("Token: caller is not a minter"):
        token.mint(bob, 1)


def test_revoked_minter_cannot_mint(token, owner, alice):
    with boa.env.prank(owner):
        token.set_minter(alice, True)
        token.set_minter(alice, False)
    with boa.env.prank(alice), boa.reverts("Token: caller is not a minter"):
        token.mint(alice, 1)


def test_adds_votes_of_delegate(token, owner, alice, bob):
    delegate(token, alice, bob)
    with boa.env.prank(owner):
        token.mint(alice, 70)
    assert events(token)[1:] == [
        ("DelegateVotesChanged", {"delegate": bob, "previous_votes": 0, "new_votes": 70}),
    ]
    assert token.getVotes(bob) == 70


def test_checkpoints_supply(token, owner, alice):
    boa.env.time_travel(seconds=10)
    minted_at = now()
    with boa.env.prank(owner):
        token.mint(alice, 70)
    boa.env.time_travel(seconds=1)
    assert token.getPastTotalSupply(minted_at - 1) == INITIAL_SUPPLY
    assert token.getPastTotalSupply(minted_at) == INITIAL_SUPPLY + 70


def test_revert_mint_to_zero_address(token, owner):
    with boa.env.prank(owner), boa.reverts("erc20: mint to the zero address"):
        token.mint(ZERO, 1)
