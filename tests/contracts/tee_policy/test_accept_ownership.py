"""TeePolicy.accept_ownership: the pending owner takes over the setters."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.tee_policy.conftest import ZERO


def test_default_behavior(policy, owner, stranger):
    governor = boa.env.generate_address("governor")
    with boa.env.prank(owner):
        policy.transfer_ownership(governor)
    with boa.env.prank(governor):
        policy.accept_ownership()
    assert events(policy) == [
        ("OwnershipTransferred", {"previous_owner": owner, "new_owner": governor}),
    ]
    assert policy.owner() == governor
    assert policy.pending_owner() == ZERO
    with boa.env.prank(governor):
        policy.set_allow_simulated(True)
    with boa.env.prank(owner), boa.reverts("ownable: caller is not the owner"):
        policy.set_allow_simulated(False)


def test_role_access(policy, owner, stranger):
    with boa.env.prank(owner):
        policy.transfer_ownership(boa.env.generate_address("governor"))
    with boa.env.prank(stranger), boa.reverts("ownable_2step: caller is not the new owner"):
        policy.accept_ownership()
