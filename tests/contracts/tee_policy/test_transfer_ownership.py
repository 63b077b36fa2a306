"""TeePolicy.transfer_ownership: the first step of handing the policy to governance."""

import boa

from tests.contracts.event_assertions import events


def test_default_behavior(policy, owner, stranger):
    with boa.env.prank(owner):
        policy.transfer_ownership(stranger)
    assert events(policy) == [
        ("OwnershipTransferStarted", {"previous_owner": owner, "new_owner": stranger}),
    ]
    assert policy.pending_owner() == stranger
    assert policy.owner() == owner


def test_role_access(policy, stranger):
    with boa.env.prank(stranger), boa.reverts("ownable: caller is not the owner"):
        policy.transfer_ownership(stranger)
