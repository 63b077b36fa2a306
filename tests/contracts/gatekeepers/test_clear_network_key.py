"""Gatekeepers.clear_network_key: the owner forgets the key so a fresh one can be generated."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.gatekeepers.conftest import MEMBER_KEYS, shamir_key, sign_publication

KEY, SHARES = shamir_key(0xC0FFEE, 3, 2)
FRESH_KEY, FRESH_SHARES = shamir_key(0xBEEF, 3, 2)


def publish(gatekeepers, key, shares):
    signatures = sign_publication(gatekeepers, MEMBER_KEYS[:2], key, shares)
    gatekeepers.publish_key(key, shares, signatures)
    return signatures


def test_default_behavior(gatekeepers, owner, members):
    publish(gatekeepers, KEY, SHARES)
    with boa.env.prank(owner):
        gatekeepers.clear_network_key()
    assert events(gatekeepers) == [("NetworkKeyCleared", {"epoch": 2})]
    network_key = gatekeepers.network_key()
    assert (network_key.x, network_key.y) == (0, 0)
    assert gatekeepers.public_shares() == []
    assert not gatekeepers.key_published()
    assert gatekeepers.epoch() == 2
    # The set itself is unchanged.
    assert gatekeepers.members() == members
    assert gatekeepers.threshold() == 2


def test_fresh_key_can_be_published(gatekeepers, owner):
    publish(gatekeepers, KEY, SHARES)
    with boa.env.prank(owner):
        gatekeepers.clear_network_key()
    publish(gatekeepers, FRESH_KEY, FRESH_SHARES)
    network_key = gatekeepers.network_key()
    assert (network_key.x, network_key.y) == FRESH_KEY


def test_old_publication_cannot_be_replayed(gatekeepers, owner):
    # Without the epoch bump anyone could restore the cleared key from the old calldata and
    # block the fresh key with "network key must not change".
    old_signatures = publish(gatekeepers, KEY, SHARES)
    with boa.env.prank(owner):
        gatekeepers.clear_network_key()
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        gatekeepers.publish_key(KEY, SHARES, old_signatures)


def test_before_any_key(gatekeepers, owner):
    with boa.env.prank(owner):
        gatekeepers.clear_network_key()
    assert not gatekeepers.key_published()
    assert gatekeepers.epoch() == 2


def test_role_access(gatekeepers, members):
    with boa.env.prank(members[0]), boa.reverts("ownable: caller is not the owner"):
        gatekeepers.clear_network_key()
