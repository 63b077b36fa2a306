"""Test support: seeded randomness, fixed ceremony contexts and a whole in-memory DKG."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import mul_base
from veritee.crypto.threshold.dkg import DkgParticipant
from veritee.crypto.threshold.feldman import KeyShare
from veritee.crypto.threshold.messages import CeremonyContext, Complaint, Reveal
from veritee.crypto.threshold.shamir import split

CHAIN_ID = 31337
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CEREMONY = CeremonyContext(CHAIN_ID, CONTRACT, epoch=1)


class SeededRng:
    """A deterministic byte stream (SHA-256 in counter mode) standing in for ``os.urandom``."""

    def __init__(self, seed: object) -> None:
        self._key = hashlib.sha256(repr(seed).encode()).digest()
        self._counter = 0

    def __call__(self, size: int) -> bytes:
        out = bytearray()
        while len(out) < size:
            out += hashlib.sha256(self._key + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
        return bytes(out[:size])


def x25519_keys(n: int, seed: object = "keys") -> dict[int, X25519KeyPair]:
    rng = SeededRng(seed)
    return {i: X25519KeyPair.generate(rng) for i in range(1, n + 1)}


def public_keys(keys: dict[int, X25519KeyPair]) -> dict[int, bytes]:
    return {i: k.public_bytes() for i, k in keys.items()}


def dealt_key_shares(t: int, n: int, seed: object = "dealer") -> tuple[int, list[KeyShare]]:
    """A trusted dealer's sharing of a random secret: quicker than a DKG for decryption tests."""
    rng = SeededRng(seed)
    secret = int.from_bytes(rng(32), "big") % (2**255) + 1
    shares = split(secret, t, n, rng)
    public = {s.index: mul_base(s.value) for s in shares}
    key = mul_base(secret)
    return secret, [KeyShare(s.index, t, n, s.value, key, public) for s in shares]


@dataclass
class DkgRun:
    participants: list[DkgParticipant]
    complaints: list[Complaint]
    reveals: list[Reveal]
    qualified: list[frozenset[int]]
    key_shares: list[KeyShare]


def make_participants(
    t: int,
    n: int,
    *,
    ceremony: CeremonyContext = CEREMONY,
    seed: object = "dkg",
    classes: dict[int, type[DkgParticipant]] | None = None,
) -> list[DkgParticipant]:
    keys = x25519_keys(n, (seed, "keys"))
    roster = public_keys(keys)
    classes = classes or {}
    return [
        classes.get(i, DkgParticipant)(
            i, t, n, keys[i], roster, ceremony, rng=SeededRng((seed, "participant", i))
        )
        for i in range(1, n + 1)
    ]


def run_dkg(
    participants: Sequence[DkgParticipant],
    *,
    silent: frozenset[int] = frozenset(),
    extra_complaints: Sequence[Complaint] = (),
) -> DkgRun:
    """Broadcast every deal, collect complaints, let dealers (except ``silent``) answer, finish."""
    deals = [p.deal() for p in participants]
    complaints = [c for p in participants for d in deals if (c := p.receive(d)) is not None]
    complaints += extra_complaints
    by_index = {p.index: p for p in participants}
    reveals = [by_index[c.dealer].answer(c) for c in complaints if c.dealer not in silent]
    qualified = [p.resolve(complaints, reveals) for p in participants]
    key_shares = [p.finalize() for p in participants]
    return DkgRun(list(participants), complaints, reveals, qualified, key_shares)
