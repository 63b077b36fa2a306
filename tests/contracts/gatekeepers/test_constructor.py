"""Gatekeepers.__init__: the initial set, threshold, epoch 1, and no key yet."""

import boa
import pytest

from tests.contracts.event_assertions import events
from tests.contracts.gatekeepers.conftest import THRESHOLD, ZERO


def test_default_behavior(gatekeepers, owner, members):
    assert gatekeepers.owner() == owner
    assert gatekeepers.members() == members
    assert gatekeepers.n() == 3
    assert gatekeepers.threshold() == THRESHOLD
    assert gatekeepers.epoch() == 1
    assert [gatekeepers.member_index(m) for m in members] == [1, 2, 3]
    assert not gatekeepers.key_published()
    network_key = gatekeepers.network_key()
    assert (network_key.x, network_key.y) == (0, 0)
    assert gatekeepers.public_shares() == []


def test_events(gatekeepers_deployer, owner, members):
    with boa.env.prank(owner):
        gatekeepers = gatekeepers_deployer.deploy(members, THRESHOLD)
    assert events(gatekeepers) == [
        ("OwnershipTransferred", {"previous_owner": ZERO, "new_owner": owner}),
        ("GatekeepersChanged", {"epoch": 1, "members": members, "threshold": THRESHOLD}),
    ]


def test_largest_set(gatekeepers_deployer):
    members = [boa.env.generate_address(f"member-{i}") for i in range(32)]
    gatekeepers = gatekeepers_deployer.deploy(members, 32)
    assert gatekeepers.n() == 32
    assert gatekeepers.member_index(members[-1]) == 32


def test_revert_empty_set(gatekeepers_deployer):
    with boa.reverts("Gatekeepers: empty gatekeeper set"):
        gatekeepers_deployer.deploy([], 0)


@pytest.mark.parametrize("threshold", [0, 4])
def test_revert_threshold_out_of_range(gatekeepers_deployer, members, threshold):
    with boa.reverts("Gatekeepers: threshold out of range"):
        gatekeepers_deployer.deploy(members, threshold)


def test_revert_zero_address_member(gatekeepers_deployer, members):
    with boa.reverts("Gatekeepers: zero address member"):
        gatekeepers_deployer.deploy([members[0], ZERO], 1)


def test_revert_duplicate_member(gatekeepers_deployer, members):
    with boa.reverts("Gatekeepers: duplicate member"):
        gatekeepers_deployer.deploy([members[0], members[1], members[0]], 2)
