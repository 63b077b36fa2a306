"""Gatekeepers.publish_key: `t` gatekeepers publish the network key and public shares, signed
over `NetworkKey(epoch, key, sharesHash)`; a later set may only republish the same key."""

import boa
import pytest

from tests.contracts.event_assertions import events
from tests.contracts.gatekeepers.conftest import (
    MEMBER_KEYS,
    NEW_MEMBER_KEYS,
    OUTSIDER_KEY,
    domain,
    off_curve,
    shamir_key,
    sign_publication,
    sign_sorted,
)
from veritee.crypto.typed_data import Domain, address_of, network_key_digest

SECRET = 0xC0FFEE
KEY, SHARES = shamir_key(SECRET, 3, 2)
OTHER_KEY, OTHER_SHARES = shamir_key(SECRET + 1, 3, 2)
NEW_MEMBERS = [address_of(key) for key in NEW_MEMBER_KEYS]


def as_tuple(point):
    return point.x, point.y


def test_default_behavior(gatekeepers):
    signatures = sign_publication(gatekeepers, MEMBER_KEYS[:2], KEY, SHARES)
    with boa.env.prank(address_of(OUTSIDER_KEY)):  # anyone may relay a signed publication
        gatekeepers.publish_key(KEY, SHARES, signatures)
    assert events(gatekeepers) == [
        ("NetworkKeyPublished", {"epoch": 1, "key": KEY, "shares": SHARES}),
    ]
    assert as_tuple(gatekeepers.network_key()) == KEY
    assert [as_tuple(share) for share in gatekeepers.public_shares()] == SHARES
    assert gatekeepers.key_published()


def test_all_members_sign(gatekeepers):
    gatekeepers.publish_key(KEY, SHARES, sign_publication(gatekeepers, MEMBER_KEYS, KEY, SHARES))
    assert gatekeepers.key_published()


def test_digest_matches_typed_data(gatekeepers):
    # The contract's digest is the one veritee.crypto computes: check_signatures accepts it.
    digest = network_key_digest(domain(gatekeepers), 1, KEY, SHARES)
    assert gatekeepers.check_signatures(digest, sign_sorted(MEMBER_KEYS[:2], digest)) == 2


def test_resharing_publishes_same_key(gatekeepers, owner):
    gatekeepers.publish_key(
        KEY, SHARES, sign_publication(gatekeepers, MEMBER_KEYS[:2], KEY, SHARES)
    )
    with boa.env.prank(owner):
        gatekeepers.set_gatekeepers(NEW_MEMBERS, 3)
    key, shares = shamir_key(SECRET, 4, 3, seed=1)
    assert key == KEY
    gatekeepers.publish_key(
        key, shares, sign_publication(gatekeepers, NEW_MEMBER_KEYS[:3], key, shares)
    )
    assert events(gatekeepers) == [
        ("NetworkKeyPublished", {"epoch": 2, "key": KEY, "shares": shares})
    ]
    assert [as_tuple(share) for share in gatekeepers.public_shares()] == shares
    assert gatekeepers.key_published()


def test_revert_key_changes_after_resharing(gatekeepers, owner):
    gatekeepers.publish_key(
        KEY, SHARES, sign_publication(gatekeepers, MEMBER_KEYS[:2], KEY, SHARES)
    )
    with boa.env.prank(owner):
        gatekeepers.set_gatekeepers(NEW_MEMBERS[:3], 2)
    signatures = sign_publication(gatekeepers, NEW_MEMBER_KEYS[:2], OTHER_KEY, OTHER_SHARES)
    with boa.reverts("Gatekeepers: network key must not change"):
        gatekeepers.publish_key(OTHER_KEY, OTHER_SHARES, signatures)


def test_revert_key_changes_in_same_epoch(gatekeepers):
    gatekeepers.publish_key(
        KEY, SHARES, sign_publication(gatekeepers, MEMBER_KEYS[:2], KEY, SHARES)
    )
    signatures = sign_publication(gatekeepers, MEMBER_KEYS[:2], OTHER_KEY, OTHER_SHARES)
    with boa.reverts("Gatekeepers: network key must not change"):
        gatekeepers.publish_key(OTHER_KEY, OTHER_SHARES, signatures)


def test_revert_replay_after_set_change(gatekeepers, owner, members):
    stale = sign_publication(gatekeepers, MEMBER_KEYS[:2], KEY, SHARES)
    with boa.env.prank(owner):
        gatekeepers.set_gatekeepers(members, 2)  # same members, new epoch
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        gatekeepers.publish_key(KEY, SHARES, stale)
    gatekeepers.publish_key(
        KEY, SHARES, sign_publication(gatekeepers, MEMBER_KEYS[:2], KEY, SHARES)
    )
    assert gatekeepers.key_published()


def test_revert_too_few_signatures(gatekeepers):
    signatures = sign_publication(gatekeepers, MEMBER_KEYS[:1], KEY, SHARES)
    with boa.reverts("Gatekeepers: too few signatures"):
        gatekeepers.publish_key(KEY, SHARES, signatures)


def test_revert_outsider_signature(gatekeepers):
    signatures = sign_publication(gatekeepers, [MEMBER_KEYS[0], OUTSIDER_KEY], KEY, SHARES)
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        gatekeepers.publish_key(KEY, SHARES, signatures)


def test_revert_tampered_shares(gatekeepers):
    signatures = sign_publication(gatekeepers, MEMBER_KEYS[:2], KEY, SHARES)
    tampered = [SHARES[1], SHARES[0], SHARES[2]]
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        gatekeepers.publish_key(KEY, tampered, signatures)


def test_revert_other_domain(gatekeepers):
    other = Domain(
        "veritee Gatekeepers", "1", boa.env.evm.patch.chain_id + 1, str(gatekeepers.address)
    )
    signatures = sign_sorted(MEMBER_KEYS[:2], network_key_digest(other, 1, KEY, SHARES))
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        gatekeepers.publish_key(KEY, SHARES, signatures)


@pytest.mark.parametrize("count", [2, 4])
def test_revert_wrong_number_of_shares(gatekeepers, count):
    shares = shamir_key(SECRET, count, 2)[1]
    signatures = sign_publication(gatekeepers, MEMBER_KEYS[:2], KEY, shares)
    with boa.reverts("Gatekeepers: one share per gatekeeper required"):
        gatekeepers.publish_key(KEY, shares, signatures)


@pytest.mark.parametrize("key", [off_curve(KEY), (0, 0)], ids=["off-curve", "infinity"])
def test_revert_key_not_on_curve(gatekeepers, key):
    signatures = sign_publication(gatekeepers, MEMBER_KEYS[:2], key, SHARES)
    with boa.reverts("Gatekeepers: key is not a curve point"):
        gatekeepers.publish_key(key, SHARES, signatures)


@pytest.mark.parametrize("index", [0, 2])
def test_revert_share_not_on_curve(gatekeepers, index):
    shares = list(SHARES)
    shares[index] = off_curve(shares[index])
    signatures = sign_publication(gatekeepers, MEMBER_KEYS[:2], KEY, shares)
    with boa.reverts("Gatekeepers: share is not a curve point"):
        gatekeepers.publish_key(KEY, shares, signatures)
