"""Capsules.register: an owner records a sealed capsule, its point R and its policy."""

import boa
import pytest
from eth_utils import keccak

from tests.contracts.capsules.conftest import P, now, register
from tests.contracts.conftest import DAY, TOKEN, G, System, point


def test_default_behavior(system: System, owner: str) -> None:
    r = point("R:capsule")
    capsule_id = register(
        system, owner, allowed_models=[3, 4], price=2 * TOKEN, max_uses=5, expiry=now() + DAY
    )
    logs = [log for log in system.capsules.get_logs() if log.address == system.capsules.address]
    assert [type(log).__name__ for log in logs] == ["CapsuleRegistered", "PolicyUpdated"]
    registered, policy = logs
    assert registered.capsule_id == capsule_id == 1
    assert registered.owner == owner
    assert registered.ciphertext_sha256 == keccak(text="ciphertext:capsule")
    assert registered.uri == "blob://capsule"
    assert tuple(registered.r) == r
    assert policy.capsule_id == capsule_id
    assert list(policy.allowed_models) == [3, 4]
    assert policy.price == 2 * TOKEN
    assert policy.max_uses == 5
    assert policy.expiry == now() + DAY

    capsule = system.capsules.capsules(capsule_id)
    assert capsule.owner == owner
    assert capsule.ciphertext_sha256 == keccak(text="ciphertext:capsule")
    assert capsule.uri == "blob://capsule"
    assert tuple(capsule.r) == r
    assert capsule.price == 2 * TOKEN
    assert capsule.max_uses == 5
    assert capsule.expiry == now() + DAY
    assert capsule.revoked is False
    assert capsule.uses == 0
    assert capsule.pending == 0
    assert system.capsules.capsule_count() == 1
    assert system.capsules.allowed_models(capsule_id) == [3, 4]
    assert system.capsules.allows_model(capsule_id, 3)
    assert not system.capsules.allows_model(capsule_id, 5)
    assert system.capsules.point_used(keccak(r[0].to_bytes(32, "big") + r[1].to_bytes(32, "big")))


def test_ids_are_sequential(system: System, owner: str) -> None:
    first = register(system, owner, "first")
    second = register(system, system.actor("another-owner"), "second")
    assert (first, second) == (1, 2)
    assert system.capsules.capsules(second).owner == system.actor("another-owner")
    assert system.capsules.capsule_count() == 2


def test_role_access(system: System) -> None:
    # Anyone may register a capsule; the caller owns it.
    for index, caller in enumerate((system.owner, system.jobs.address, system.actor("anyone"))):
        capsule_id = register(system, caller, f"capsule-{index}")
        assert system.capsules.capsules(capsule_id).owner == caller


def test_empty_ciphertext_hash(system: System, owner: str) -> None:
    with boa.reverts("Capsules: empty ciphertext hash"):
        register(system, owner, ciphertext_sha256=b"\x00" * 32)


@pytest.mark.parametrize(
    "r",
    [
        (0, 0),  # the point at infinity
        (G[0], G[1] + 1),
        (G[0], 0),
        (P, 7),  # coordinates must be reduced
        (2**256 - 1, 2**256 - 1),
    ],
)
def test_r_not_a_curve_point(system: System, owner: str, r: tuple[int, int]) -> None:
    with boa.reverts("Capsules: R is not a curve point"):
        register(system, owner, r=r)


def test_generator_is_a_curve_point(system: System, owner: str) -> None:
    capsule_id = register(system, owner, r=G)
    assert tuple(system.capsules.capsules(capsule_id).r) == G


def test_r_already_registered(system: System, owner: str, capsule_id: int) -> None:
    # Whoever copies R, even under another ciphertext, is refused.
    for copier in (owner, system.actor("copier")):
        with boa.reverts("Capsules: R already registered"):
            register(
                system,
                copier,
                "copy",
                r=point("R:capsule"),
                ciphertext_sha256=keccak(b"other ciphertext"),
            )
    assert system.capsules.capsule_count() == 1


@pytest.mark.parametrize("offset", [0, -1])
def test_expiry_in_the_past(system: System, owner: str, offset: int) -> None:
    with boa.reverts("Capsules: expiry in the past"):
        register(system, owner, expiry=now() + offset)
    # The failed registration did not spend R.
    capsule_id = register(system, owner, expiry=now() + 1)
    assert system.capsules.capsules(capsule_id).expiry == now() + 1
