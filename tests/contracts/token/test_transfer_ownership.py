"""Token.transfer_ownership: the first step of the two-step handover."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import ZERO


def test_default_behavior(token, owner, alice):
    with boa.env.prank(owner):
        token.transfer_ownership(alice)
    assert events(token) == [
        ("OwnershipTransferStarted", {"previous_owner": owner, "new_owner": alice}),
    ]
    assert token.pending_owner() == alice
    # Nothing moves until the new owner accepts.
    assert token.owner() == owner
    assert token.is_minter(owner)
    assert not token.is_minter(alice)


def test_zero_address_cancels(token, owner, alice):
    with boa.env.prank(owner):
        token.transfer_ownership(alice)
        token.transfer_ownership(ZERO)
    assert token.pending_owner() == ZERO
    with boa.env.prank(alice), boa.reverts("Token: caller is not the new owner"):
        token.accept_ownership()


def test_role_access(token, alice):
    with boa.env.prank(alice), boa.reverts("ownable: caller is not the owner"):
        token.transfer_ownership(alice)
