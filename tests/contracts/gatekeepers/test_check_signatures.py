"""Gatekeepers.check_signatures: at least `t` strict signatures by distinct members, in
ascending signer order; each way to fail names its reason."""

import boa
import pytest
from eth_utils import keccak

from tests.contracts.gatekeepers.conftest import (
    MEMBER_KEYS,
    OUTSIDER_KEY,
    SECP256K1_N,
    SECP256K1_P,
    by_address,
    sign_sorted,
)
from veritee.crypto.typed_data import sign_digest

DIGEST = keccak(b"veritee test digest")


def non_curve_x() -> int:
    """The smallest x with no secp256k1 point: x³ + 7 is not a square mod p."""
    x = 1
    while pow(x**3 + 7, (SECP256K1_P - 1) // 2, SECP256K1_P) != SECP256K1_P - 1:
        x += 1
    return x


def with_fields(
    signature: bytes, *, r: int | None = None, s: int | None = None, v: int | None = None
):
    r_bytes = signature[:32] if r is None else r.to_bytes(32, "big")
    s_bytes = signature[32:64] if s is None else s.to_bytes(32, "big")
    v_byte = signature[64:] if v is None else bytes([v])
    return r_bytes + s_bytes + v_byte


def test_default_behavior(gatekeepers):
    assert gatekeepers.check_signatures(DIGEST, sign_sorted(MEMBER_KEYS[:2], DIGEST)) == 2


def test_more_than_threshold(gatekeepers):
    assert gatekeepers.check_signatures(DIGEST, sign_sorted(MEMBER_KEYS, DIGEST)) == 3


@pytest.mark.parametrize("pair", [(0, 1), (0, 2), (1, 2)])
def test_any_threshold_subset(gatekeepers, pair):
    keys = [MEMBER_KEYS[i] for i in pair]
    assert gatekeepers.check_signatures(DIGEST, sign_sorted(keys, DIGEST)) == 2


@pytest.mark.parametrize("count", [0, 1])
def test_revert_too_few_signatures(gatekeepers, count):
    with boa.reverts("Gatekeepers: too few signatures"):
        gatekeepers.check_signatures(DIGEST, sign_sorted(MEMBER_KEYS[:count], DIGEST))


def test_revert_short_signature(gatekeepers):
    first, second = sign_sorted(MEMBER_KEYS[:2], DIGEST)
    with boa.reverts("Gatekeepers: malformed signature"):
        gatekeepers.check_signatures(DIGEST, [first, second[:64]])


@pytest.mark.parametrize("v", [0, 1, 26, 29])
def test_revert_bad_v(gatekeepers, v):
    first, second = sign_sorted(MEMBER_KEYS[:2], DIGEST)
    with boa.reverts("Gatekeepers: malformed signature"):
        gatekeepers.check_signatures(DIGEST, [first, with_fields(second, v=v)])


def test_revert_malleable_signature(gatekeepers):
    first, second = sign_sorted(MEMBER_KEYS[:2], DIGEST)
    # The high-s twin (n - s, other parity) recovers the same signer but must be refused.
    s = int.from_bytes(second[32:64], "big")
    twin = with_fields(second, s=SECP256K1_N - s, v=55 - second[64])
    with boa.reverts("Gatekeepers: malleable signature"):
        gatekeepers.check_signatures(DIGEST, [first, twin])


@pytest.mark.parametrize(
    "fields",
    [{"r": 0}, {"s": 0}, {"r": non_curve_x()}, {"r": SECP256K1_N}],
    ids=["zero-r", "zero-s", "r-not-on-curve", "r-equal-n"],
)
def test_revert_invalid_signature(gatekeepers, fields):
    first, second = sign_sorted(MEMBER_KEYS[:2], DIGEST)
    with boa.reverts("Gatekeepers: invalid signature"):
        gatekeepers.check_signatures(DIGEST, [first, with_fields(second, **fields)])


def test_revert_non_member(gatekeepers):
    signatures = sign_sorted([MEMBER_KEYS[0], OUTSIDER_KEY], DIGEST)
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        gatekeepers.check_signatures(DIGEST, signatures)


def test_revert_signed_other_digest(gatekeepers):
    signatures = sign_sorted(MEMBER_KEYS[:2], keccak(b"another digest"))
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        gatekeepers.check_signatures(DIGEST, signatures)


def test_revert_duplicate_signer(gatekeepers):
    signature = sign_digest(MEMBER_KEYS[0], DIGEST)
    with boa.reverts("Gatekeepers: duplicate signer"):
        gatekeepers.check_signatures(DIGEST, [signature, signature])


def test_revert_unsorted_signers(gatekeepers):
    descending = [sign_digest(key, DIGEST) for key in reversed(by_address(MEMBER_KEYS[:2]))]
    with boa.reverts("Gatekeepers: signers not in ascending order"):
        gatekeepers.check_signatures(DIGEST, descending)


def test_revert_removed_member(gatekeepers, owner, members):
    with boa.env.prank(owner):
        gatekeepers.set_gatekeepers(members[1:], 2)
    removed_and_kept = sign_sorted(MEMBER_KEYS[:2], DIGEST)
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        gatekeepers.check_signatures(DIGEST, removed_and_kept)
    assert gatekeepers.check_signatures(DIGEST, sign_sorted(MEMBER_KEYS[1:], DIGEST)) == 2
