"""TeePolicy.set_max_certificate_lifetime: the longest certificate lifetime, positive."""

import boa

from tests.contracts.event_assertions import events


def test_default_behavior(policy, owner):
    with boa.env.prank(owner):
        policy.set_max_certificate_lifetime(3_600)
    assert events(policy) == [("MaxCertificateLifetimeSet", {"seconds": 3_600})]
    assert policy.max_certificate_lifetime() == 3_600


def test_role_access(policy, stranger):
    with boa.env.prank(stranger), boa.reverts("ownable: caller is not the owner"):
        policy.set_max_certificate_lifetime(3_600)


def test_revert_zero(policy, owner):
    with boa.env.prank(owner), boa.reverts("TeePolicy: lifetime must be positive"):
        policy.set_max_certificate_lifetime(0)
