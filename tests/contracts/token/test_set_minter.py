"""Token.set_minter (and `is_minter`): the owner grants and revokes the minter role."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import ZERO


def test_default_behavior(token, owner, alice):
    assert not token.is_minter(alice)
    with boa.env.prank(owner):
        token.set_minter(alice, True)
    assert events(token) == [("RoleMinterChanged", {"minter": alice, "status": True})]
    assert token.is_minter(alice)


def test_revoke(token, owner, alice):
    with boa.env.prank(owner):
        token.set_minter(alice, True)
        token.set_minter(alice, False)
    assert events(token) == [("RoleMinterChanged", {"minter": alice, "status": False})]
    assert not token.is_minter(alice)


def test_role_access(token, owner, alice):
    with boa.env.prank(owner):
        token.set_minter(alice, True)
    # Minting rights do not include granting them.
    with boa.env.prank(alice), boa.reverts("ownable: caller is not the owner"):
        token.set_minter(alice, False)


def test_revert_zero_address(token, owner):
    with boa.env.prank(owner), boa.reverts("erc20: minter is the zero address"):
        token.set_minter(ZERO, True)


def test_revert_owner_itself(token, owner):
    with boa.env.prank(owner), boa.reverts("erc20: minter is owner address"):
        token.set_minter(owner, False)
