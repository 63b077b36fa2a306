"""Fixtures for the Gatekeepers tests: three gatekeepers with threshold two, and the signing
recipes they use (EIP-712 digests over the Gatekeepers domain, Shamir shares of a network key).

The boa plugin anchors every test, so each test starts from the set as deployed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import boa
import coincurve
import pytest

from tests.contracts.conftest import private_key
from veritee.chain.compiler import contracts_dir
from veritee.crypto.typed_data import Domain, address_of, network_key_digest, sign_digest

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SECP256K1_P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
ZERO = "0x" + "00" * 20
THRESHOLD = 2
MEMBER_KEYS = [private_key(f"gatekeepers:member:{i}") for i in range(3)]
NEW_MEMBER_KEYS = [private_key(f"gatekeepers:new-member:{i}") for i in range(4)]
OUTSIDER_KEY = private_key("gatekeepers:outsider")
Point = tuple[int, int]


@pytest.fixture(scope="session")
def gatekeepers_deployer() -> Any:
    return boa.load_partial(contracts_dir() / "Gatekeepers.vy")


@pytest.fixture(scope="module")
def owner() -> str:
    return str(boa.env.generate_address("gatekeepers-owner"))


@pytest.fixture(scope="module")
def members() -> list[str]:
    return [address_of(key) for key in MEMBER_KEYS]


@pytest.fixture(scope="module")
def gatekeepers(gatekeepers_deployer: Any, owner: str, members: list[str]) -> Any:
    with boa.env.prank(owner):
        return gatekeepers_deployer.deploy(members, THRESHOLD)


def by_address(keys: Sequence[bytes]) -> list[bytes]:
    """``keys`` ordered by ascending signer address, the order the contract demands."""
    return sorted(keys, key=lambda key: int(address_of(key), 16))


def sign_sorted(keys: Sequence[bytes], digest: bytes) -> list[bytes]:
    """Signatures over ``digest`` by ``keys``, ordered by ascending signer address."""
    return [sign_digest(key, digest) for key in by_address(keys)]


def public_point(secret: int) -> Point:
    """``secret · G`` as affine coordinates."""
    raw = coincurve.PrivateKey(secret.to_bytes(32, "big")).public_key.format(compressed=False)
    return int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")


def shamir_key(secret: int, n: int, t: int, *, seed: int = 0) -> tuple[Point, list[Point]]:
    """The network key ``S = s·G`` and public shares ``S_i = f(i)·G`` of a degree ``t - 1``
    polynomial with ``f(0) = s`` (coefficients derived from ``seed``: a fresh dealing of the
    same secret, as in resharing, uses another seed)."""
    coefficients = [secret] + [
        int.from_bytes(private_key(f"coefficient:{seed}:{j}"), "big") % SECP256K1_N
        for j in range(1, t)
    ]

    def f(x: int) -> int:
        return sum(c * x**j for j, c in enumerate(coefficients)) % SECP256K1_N

    return public_point(secret), [public_point(f(i)) for i in range(1, n + 1)]


def domain(gatekeepers: Any) -> Domain:
    return Domain("veritee Gatekeepers", "1", boa.env.evm.patch.chain_id, str(gatekeepers.address))


def sign_publication(
    gatekeepers: Any,
    keys: Sequence[bytes],
    key: Point,
    shares: Sequence[Point],
    *,
    epoch: int | None = None,
) -> list[bytes]:
    """Signatures by ``keys`` over ``NetworkKey(epoch, key, sharesHash)`` (current epoch by
    default), ordered by ascending signer address."""
    epoch = gatekeepers.epoch() if epoch is None else epoch
    return sign_sorted(keys, network_key_digest(domain(gatekeepers), epoch, key, shares))


def off_curve(point: Point) -> Point:
    return point[0], point[1] + 1
