"""TeePolicy.set_allow_simulated: the development switch for simulated quotes."""

import boa

from tests.contracts.event_assertions import events


def test_default_behavior(policy, owner):
    assert not policy.allow_simulated()
    with boa.env.prank(owner):
        policy.set_allow_simulated(True)
    assert events(policy) == [("SimulatedQuotesSet", {"allowed": True})]
    assert policy.allow_simulated()
    with boa.env.prank(owner):
        policy.set_allow_simulated(False)
    assert events(policy) == [("SimulatedQuotesSet", {"allowed": False})]
    assert not policy.allow_simulated()


def test_role_access(policy, stranger):
    with boa.env.prank(stranger), boa.reverts("ownable: caller is not the owner"):
        policy.set_allow_simulated(True)
