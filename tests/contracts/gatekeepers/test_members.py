"""Gatekeepers.members, n and member_index: the set in share-index order."""

from tests.contracts.gatekeepers.conftest import OUTSIDER_KEY, ZERO
from veritee.crypto.typed_data import address_of


def test_default_behavior(gatekeepers, members):
    assert gatekeepers.members() == members
    assert gatekeepers.n() == len(members)
    for index, member in enumerate(members, start=1):
        assert gatekeepers.member_index(member) == index


def test_non_members_have_no_index(gatekeepers, owner):
    assert gatekeepers.member_index(address_of(OUTSIDER_KEY)) == 0
    assert gatekeepers.member_index(owner) == 0
    assert gatekeepers.member_index(ZERO) == 0
