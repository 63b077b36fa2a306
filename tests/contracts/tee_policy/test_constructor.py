"""TeePolicy.__init__: simulated-quote switch, lifetime, and only UpToDate TCB accepted."""

import boa
import pytest

from tests.contracts.event_assertions import events
from tests.contracts.tee_policy.conftest import LIFETIME, ZERO


@pytest.mark.parametrize("allow_simulated", [True, False])
def test_default_behavior(policy_deployer, owner, allow_simulated):
    with boa.env.prank(owner):
        policy = policy_deployer.deploy(allow_simulated, LIFETIME)
    assert events(policy) == [
        ("OwnershipTransferred", {"previous_owner": ZERO, "new_owner": owner}),
        ("SimulatedQuotesSet", {"allowed": allow_simulated}),
        ("MaxCertificateLifetimeSet", {"seconds": LIFETIME}),
        ("TcbStatusSet", {"tcb_status": 0, "accepted": True}),
    ]
    assert policy.owner() == owner
    assert policy.allow_simulated() is allow_simulated
    assert policy.max_certificate_lifetime() == LIFETIME
    assert [policy.tcb_accepted(status) for status in range(7)] == [True] + [False] * 6


def test_revert_zero_lifetime(policy_deployer):
    with boa.reverts("TeePolicy: lifetime must be positive"):
        policy_deployer.deploy(False, 0)
