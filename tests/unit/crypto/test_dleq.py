"""Chaum-Pedersen DLEQ proofs: completeness, soundness against tampering, serialization."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from tests.unit.crypto.support import SeededRng
from veritee.crypto.secp256k1 import G, N, mul, mul_base
from veritee.crypto.threshold.dleq import PROOF_SIZE, DleqProof, prove, prove_images, verify
from veritee.exceptions import ProofError

SECRET = 0x1234567890ABCDEF1234567890ABCDEF
BASE = mul_base(987654321)
CONTEXT = b"capsule 7 on chain 31337 at 0x5fbd..."
PUBLIC, IMAGE = mul_base(SECRET), mul(SECRET, BASE)


@pytest.fixture
def proof() -> DleqProof:
    return prove(SECRET, BASE, CONTEXT, rng=SeededRng("dleq"))


def test_valid_proof_verifies(proof: DleqProof) -> None:
    verify(PUBLIC, BASE, IMAGE, proof, CONTEXT)


def test_proofs_are_randomized_but_deterministic_under_a_seeded_rng(proof: DleqProof) -> None:
    assert prove(SECRET, BASE, CONTEXT, rng=SeededRng("dleq")) == proof
    assert prove(SECRET, BASE, CONTEXT, rng=SeededRng("other")) != proof


def test_constant_rng_still_gives_distinct_nonces_per_statement() -> None:
    stuck = lambda n: bytes(n)  # noqa: E731 - a broken rng
    a = prove(SECRET, BASE, b"one", rng=stuck)
    b = prove(SECRET, BASE, b"two", rng=stuck)
    # With a repeated nonce, z_a - z_b = (c_a - c_b)·x would reveal x; the hedged nonce differs.
    assert (a.z - b.z) % N != (a.c - b.c) * SECRET % N


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: replace(p, c=(p.c + 1) % N), id="c"),
        pytest.param(lambda p: replace(p, z=(p.z + 1) % N), id="z"),
        pytest.param(lambda p: DleqProof(p.z, p.c), id="swapped"),
        pytest.param(lambda p: DleqProof(0, 0), id="zero"),
    ],
)
def test_tampered_proof_fails(proof: DleqProof, tamper: Callable[[DleqProof], DleqProof]) -> None:
    with pytest.raises(ProofError, match="does not verify"):
        verify(PUBLIC, BASE, IMAGE, tamper(proof), CONTEXT)


def test_wrong_statement_fails(proof: DleqProof) -> None:
    other = mul_base(5)
    with pytest.raises(ProofError):
        verify(PUBLIC, other, IMAGE, proof, CONTEXT)  # swapped R
    with pytest.raises(ProofError):
        verify(PUBLIC, BASE, IMAGE, proof, CONTEXT + b"!")  # wrong context
    with pytest.raises(ProofError):
        verify(mul_base(SECRET + 1), BASE, IMAGE, proof, CONTEXT)  # wrong public share
    with pytest.raises(ProofError):
        verify(PUBLIC, BASE, mul(SECRET + 1, BASE), proof, CONTEXT)  # wrong decryption share
    with pytest.raises(ProofError):
        verify(IMAGE, BASE, PUBLIC, proof, CONTEXT)  # roles swapped


def test_proof_for_a_different_secret_fails() -> None:
    lying = prove(SECRET + 1, BASE, CONTEXT, rng=SeededRng("liar"))
    with pytest.raises(ProofError):
        verify(PUBLIC, BASE, IMAGE, lying, CONTEXT)


def test_base_g_is_allowed(proof: DleqProof) -> None:
    same = prove(SECRET, G, CONTEXT, rng=SeededRng("g"))
    verify(PUBLIC, G, PUBLIC, same, CONTEXT)


def test_serialization_round_trip(proof: DleqProof) -> None:
    data = proof.to_bytes()
    assert len(data) == PROOF_SIZE and data[0] == 0x01
    assert DleqProof.from_bytes(data) == proof


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x01" + bytes(63),
        b"\x02" + bytes(64),
        b"\x01" + N.to_bytes(32, "big") + bytes(32),
        b"\x01" + bytes(32) + N.to_bytes(32, "big"),
    ],
)
def test_malformed_proofs_are_rejected(data: bytes) -> None:
    with pytest.raises(ProofError):
        DleqProof.from_bytes(data)


def test_prove_images_is_prove_when_the_images_are_right(proof: DleqProof) -> None:
    given = prove_images(SECRET, PUBLIC, BASE, IMAGE, CONTEXT, rng=SeededRng("dleq"))
    assert given == proof
    verify(PUBLIC, BASE, IMAGE, given, CONTEXT)


def test_prove_images_with_a_wrong_image_gives_a_proof_that_fails() -> None:
    wrong = mul(SECRET + 1, BASE)
    lying = prove_images(SECRET, PUBLIC, BASE, wrong, CONTEXT, rng=SeededRng("liar"))
    with pytest.raises(ProofError):
        verify(PUBLIC, BASE, wrong, lying, CONTEXT)
