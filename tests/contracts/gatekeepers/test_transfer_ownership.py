"""Gatekeepers.transfer_ownership: the first step of the two-step handover."""

import boa

from tests.contracts.event_assertions import events


def test_default_behavior(gatekeepers, owner, members):
    with boa.env.prank(owner):
        gatekeepers.transfer_ownership(members[0])
    assert events(gatekeepers) == [
        ("OwnershipTransferStarted", {"previous_owner": owner, "new_owner": members[0]}),
    ]
    assert gatekeepers.pending_owner() == members[0]
    assert gatekeepers.owner() == owner


def test_role_access(gatekeepers, members):
    with boa.env.prank(members[0]), boa.reverts("ownable: caller is not the owner"):
        gatekeepers.transfer_ownership(members[0])
