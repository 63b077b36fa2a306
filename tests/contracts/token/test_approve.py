"""Token.approve: sets the allowance (`allowance`) and emits Approval."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import ZERO


def test_default_behavior(token, alice, bob):
    assert token.allowance(alice, bob) == 0
    with boa.env.prank(alice):
        assert token.approve(bob, 123) is True
    assert events(token) == [("Approval", {"owner": alice, "spender": bob, "value": 123})]
    assert token.allowance(alice, bob) == 123
    assert token.allowance(bob, alice) == 0


def test_overwrites_previous_allowance(token, alice, bob):
    with boa.env.prank(alice):
        token.approve(bob, 123)
        token.approve(bob, 5)
    assert token.allowance(alice, bob) == 5


def test_revert_zero_spender(token, alice):
    with boa.env.prank(alice), boa.reverts("erc20: approve to the zero address"):
        token.approve(ZERO, 1)
