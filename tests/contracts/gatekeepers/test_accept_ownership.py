"""Gatekeepers.accept_ownership: the pending owner takes over the admin functions."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.gatekeepers.conftest import ZERO


def test_default_behavior(gatekeepers, owner, members):
    successor = boa.env.generate_address("governor")
    with boa.env.prank(owner):
        gatekeepers.transfer_ownership(successor)
    with boa.env.prank(successor):
        gatekeepers.accept_ownership()
    assert events(gatekeepers) == [
        ("OwnershipTransferred", {"previous_owner": owner, "new_owner": successor}),
    ]
    assert gatekeepers.owner() == successor
    assert gatekeepers.pending_owner() == ZERO
    with boa.env.prank(successor):
        gatekeepers.set_gatekeepers(members[:1], 1)
    with boa.env.prank(owner), boa.reverts("ownable: caller is not the owner"):
        gatekeepers.set_gatekeepers(members, 1)


def test_role_access(gatekeepers, owner, members):
    with boa.env.prank(owner):
        gatekeepers.transfer_ownership(members[0])
    with boa.env.prank(members[1]), boa.reverts("ownable_2step: caller is not the new owner"):
        gatekeepers.accept_ownership()
