"""The DKG over an untrusted relay: signed messages, and views that expose unequal broadcasts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest

from tests.unit.crypto.support import SeededRng
from veritee.chain.devnet import dev_gatekeeper_keys
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import N, mul_base
from veritee.crypto.threshold import CeremonyContext, DkgParticipant, KeyShare, combine_secret
from veritee.crypto.typed_data import address_of
from veritee.exceptions import CeremonyError, SignatureError
from veritee.gatekeeper.ceremony import DkgCeremony
from veritee.gatekeeper.dkg_messages import DkgKind, SignedDkgMessage

KEYS = dev_gatekeeper_keys(4)
MEMBERS = [address_of(k) for k in KEYS]
CONTEXT = CeremonyContext(31337, "0x" + "02" * 20, epoch=1)
Messages = list[SignedDkgMessage]


def _party(index: int, n: int = 3, t: int = 2, seed: object = "ceremony") -> DkgCeremony:
    rng = SeededRng((seed, index))
    return DkgCeremony(
        index=index,
        signing_key=KEYS[index - 1],
        encryption_key=X25519KeyPair.generate(SeededRng((seed, "x25519", index))),
        members=MEMBERS[:n],
        t=t,
        ceremony=CONTEXT,
        rng=rng,
    )


def _run(
    parties: Sequence[DkgCeremony],
    deliver: Callable[[int, Messages], Messages] = lambda _, messages: messages,
) -> list[KeyShare]:
    """Every step, the relay handing party i ``deliver(i, messages)``."""
    announcements = [p.announce() for p in parties]
    deals = [p.deal(deliver(p.index, announcements)) for p in parties]
    judged = {p.index: p.complaints(deliver(p.index, deals)) for p in parties}
    complaints = [c for cs, _ in judged.values() for c in cs]
    views = [v for _, v in judged.values()]
    answered = {p.index: p.reveals(deliver(p.index, complaints), views) for p in parties}
    reveals = [r for rs, _ in answered.values() for r in rs]
    views = [v for _, v in answered.values()]
    return [p.finalize(deliver(p.index, reveals), views) for p in parties]


def test_honest_run_gives_one_key() -> None:
    shares = _run([_party(i) for i in (1, 2, 3)])
    assert len({s.public_key for s in shares}) == 1
    secret = combine_secret([shares[0].share, shares[2].share])
    assert mul_base(secret) == shares[0].public_key


class _Cheat(DkgParticipant):
    def _share_for(self, recipient: int) -> int:
        share = super()._share_for(recipient)
        return (share + 1) % N if recipient == 2 else share


def test_cheating_dealer_is_excluded(monkeypatch: pytest.MonkeyPatch) -> None:
    parties = [_party(i) for i in (1, 2, 3)]
    original = DkgParticipant

    def build(*args, **kwargs):  # type: ignore[no-untyped-def]
        return (_Cheat if args[0] == 1 else original)(*args, **kwargs)

    monkeypatch.setattr("veritee.gatekeeper.ceremony.DkgParticipant", build)
    shares = _run(parties)
    assert len({s.public_key for s in shares}) == 1
    honest = {s.index: s for s in shares}
    assert mul_base(combine_secret([honest[2].share, honest[3].share])) == shares[0].public_key


def test_forged_announcement_is_refused() -> None:
    parties = [_party(i) for i in (1, 2, 3)]
    announcements = [p.announce() for p in parties]
    forged = SignedDkgMessage.sign(
        KEYS[3], parties[0].domain, kind=DkgKind.ANNOUNCE, epoch=1, sender=2, payload=bytes(32)
    )
    with pytest.raises(SignatureError, match="claims to be from gatekeeper 2 but is signed"):
        parties[0].deal([announcements[0], forged, announcements[2]])
    altered = replace(announcements[1], payload=bytes(32))
    with pytest.raises(SignatureError):
        parties[0].deal([announcements[0], altered, announcements[2]])


def test_missing_announcement_and_foreign_epoch_are_refused() -> None:
    parties = [_party(i) for i in (1, 2, 3)]
    announcements = [p.announce() for p in parties]
    with pytest.raises(CeremonyError, match=r"no announcement from gatekeepers \[3\]"):
        parties[0].deal(announcements[:2])
    old = SignedDkgMessage.sign(
        KEYS[2], parties[0].domain, kind=DkgKind.ANNOUNCE, epoch=0, sender=3, payload=bytes(32)
    )
    with pytest.raises(CeremonyError, match="another epoch"):
        parties[0].deal([*announcements[:2], old])


def test_steps_out_of_order_are_refused() -> None:
    party = _party(1)
    with pytest.raises(CeremonyError, match="deal step has not run"):
        party.complaints([])
    parties = [_party(i) for i in (1, 2, 3)]
    announcements = [p.announce() for p in parties]
    parties[0].deal(announcements)
    with pytest.raises(CeremonyError, match="complaints step has not run"):
        parties[0].reveals([], [])
    with pytest.raises(CeremonyError, match="reveals step has not run"):
        parties[0].finalize([], [])


def test_relay_hiding_a_deal_from_one_party_is_caught() -> None:
    parties = [_party(i) for i in (1, 2, 3)]

    def drop_deal_of_3_for_1(index: int, messages: Messages) -> Messages:
        if index == 1:
            return [m for m in messages if not (m.kind is DkgKind.DEAL and m.sender == 3)]
        return messages

    with pytest.raises(CeremonyError, match=r"gatekeepers \[2, 3\] received other deals") as caught:
        _run(parties, drop_deal_of_3_for_1)
    assert caught.value.reason == "inconsistent broadcast"


def test_equivocating_dealer_is_caught() -> None:
    parties = [_party(i) for i in (1, 2, 3)]
    twin = _party(1, seed="twin")  # same key and roster: same session, another polynomial
    twin._encryption = parties[0]._encryption
    announcements = [p.announce() for p in parties]
    first, second = parties[0].deal(announcements), twin.deal(announcements)
    deals = [parties[1].deal(announcements), parties[2].deal(announcements)]
    _, view_2 = parties[1].complaints([first, *deals])
    _, view_3 = parties[2].complaints([second, *deals])
    _, view_1 = parties[0].complaints([first, *deals])
    with pytest.raises(CeremonyError, match=r"gatekeepers \[3\] received other deals") as caught:
        parties[1].reveals([], [view_1, view_2, view_3])
    assert caught.value.reason == "inconsistent broadcast"


def test_missing_views_are_refused() -> None:
    parties = [_party(i) for i in (1, 2, 3)]
    announcements = [p.announce() for p in parties]
    deals = [p.deal(announcements) for p in parties]
    views = [p.complaints(deals)[1] for p in parties]
    with pytest.raises(CeremonyError, match=r"no view of the deals from gatekeepers \[3\]"):
        parties[0].reveals([], views[:2])


def test_repeated_steps_return_the_same_messages() -> None:
    parties = [_party(i) for i in (1, 2, 3)]
    announcements = [p.announce() for p in parties]
    assert parties[0].deal(announcements) == parties[0].deal(announcements)
