"""Token.accept_ownership: the second step; the owner's minter role moves with ownership."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import ZERO


def hand_over(token, owner, new_owner):
    with boa.env.prank(owner):
        token.transfer_ownership(new_owner)
    with boa.env.prank(new_owner):
        token.accept_ownership()


def test_default_behavior(token, owner, alice):
    with boa.env.prank(owner):
        token.transfer_ownership(alice)
    with boa.env.prank(alice):
        token.accept_ownership()
    assert events(token) == [
        ("OwnershipTransferred", {"previous_owner": owner, "new_owner": alice}),
        ("RoleMinterChanged", {"minter": owner, "status": False}),
        ("RoleMinterChanged", {"minter": alice, "status": True}),
    ]
    assert token.owner() == alice
    assert token.pending_owner() == ZERO
    assert token.is_minter(alice)
    assert not token.is_minter(owner)


def test_minting_follows_ownership(token, owner, alice, bob):
    hand_over(token, owner, alice)
    with boa.env.prank(alice):
        token.mint(bob, 3)
    assert token.balanceOf(bob) == 3
    with boa.env.prank(owner), boa.reverts("Token: caller is not a minter"):
        token.mint(owner, 1)


def test_other_minters_keep_role(token, owner, alice, carol):
    with boa.env.prank(owner):
        token.set_minter(carol, True)
    hand_over(token, owner, alice)
    assert token.is_minter(carol)


def test_admin_follows_ownership(token, owner, alice, bob):
    hand_over(token, owner, alice)
    with boa.env.prank(owner), boa.reverts("ownable: caller is not the owner"):
        token.set_minter(bob, True)
    with boa.env.prank(alice):
        token.set_minter(bob, True)
    assert token.is_minter(bob)


def test_role_access(token, owner, alice, bob):
    with boa.env.prank(owner):
        token.transfer_ownership(alice)
    with boa.env.prank(bob), boa.reverts("Token: caller is not the new owner"):
        token.accept_ownership()


def test_revert_accepted_twice(token, owner, alice):
    hand_over(token, owner, alice)
    with boa.env.prank(alice), boa.reverts("Token: caller is not the new owner"):
        token.accept_ownership()
