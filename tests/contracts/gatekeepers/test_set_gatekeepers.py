"""Gatekeepers.set_gatekeepers: the owner replaces the set; the epoch moves on and published
shares are dropped, while the network key stays for the new set to reshare."""

import boa
import pytest

from tests.contracts.event_assertions import events
from tests.contracts.gatekeepers.conftest import (
    MEMBER_KEYS,
    NEW_MEMBER_KEYS,
    ZERO,
    shamir_key,
    sign_publication,
)
from veritee.crypto.typed_data import address_of

NEW_MEMBERS = [address_of(key) for key in NEW_MEMBER_KEYS]


def test_default_behavior(gatekeepers, owner, members):
    with boa.env.prank(owner):
        gatekeepers.set_gatekeepers(NEW_MEMBERS, 3)
    assert events(gatekeepers) == [
        ("GatekeepersChanged", {"epoch": 2, "members": NEW_MEMBERS, "threshold": 3}),
    ]
    assert gatekeepers.members() == NEW_MEMBERS
    assert gatekeepers.n() == 4
    assert gatekeepers.threshold() == 3
    assert gatekeepers.epoch() == 2
    assert [gatekeepers.member_index(m) for m in NEW_MEMBERS] == [1, 2, 3, 4]
    # Removed members lose their index, so their signatures stop counting.
    assert [gatekeepers.member_index(m) for m in members] == [0, 0, 0]


def test_reorders_kept_members(gatekeepers, owner, members):
    reordered = [members[2], NEW_MEMBERS[0], members[0]]
    with boa.env.prank(owner):
        gatekeepers.set_gatekeepers(reordered, 2)
    assert [gatekeepers.member_index(m) for m in reordered] == [1, 2, 3]
    assert gatekeepers.member_index(members[1]) == 0


def test_drops_shares_keeps_key(gatekeepers, owner):
    key, shares = shamir_key(12345, 3, 2)
    gatekeepers.publish_key(
        key, shares, sign_publication(gatekeepers, MEMBER_KEYS[:2], key, shares)
    )
    with boa.env.prank(owner):
        gatekeepers.set_gatekeepers(NEW_MEMBERS, 3)
    assert not gatekeepers.key_published()
    assert gatekeepers.public_shares() == []
    network_key = gatekeepers.network_key()
    assert (network_key.x, network_key.y) == key


def test_every_change_bumps_epoch(gatekeepers, owner, members):
    with boa.env.prank(owner):
        gatekeepers.set_gatekeepers(members, 2)
        gatekeepers.set_gatekeepers(members, 3)
    assert gatekeepers.epoch() == 3


def test_role_access(gatekeepers, members):
    with boa.env.prank(members[0]), boa.reverts("ownable: caller is not the owner"):
        gatekeepers.set_gatekeepers(members, 1)


def test_revert_empty_set(gatekeepers, owner):
    with boa.env.prank(owner), boa.reverts("Gatekeepers: empty gatekeeper set"):
        gatekeepers.set_gatekeepers([], 0)


@pytest.mark.parametrize("threshold", [0, 5])
def test_revert_threshold_out_of_range(gatekeepers, owner, threshold):
    with boa.env.prank(owner), boa.reverts("Gatekeepers: threshold out of range"):
        gatekeepers.set_gatekeepers(NEW_MEMBERS, threshold)


def test_revert_zero_address_member(gatekeepers, owner):
    with boa.env.prank(owner), boa.reverts("Gatekeepers: zero address member"):
        gatekeepers.set_gatekeepers([NEW_MEMBERS[0], ZERO], 1)


def test_revert_duplicate_member(gatekeepers, owner, members):
    with boa.env.prank(owner), boa.reverts("Gatekeepers: duplicate member"):
        gatekeepers.set_gatekeepers([members[1], NEW_MEMBERS[0], members[1]], 2)
