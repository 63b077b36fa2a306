"""Resharing over an untrusted relay: signed messages, rosters old and new, views, cheaters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest

from tests.unit.crypto.support import CEREMONY, SeededRng, dealt_key_shares
from veritee.chain.devnet import dev_gatekeeper_keys
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import N, mul_base
from veritee.crypto.threshold import KeyShare, ReshareDealer, combine_secret
from veritee.crypto.typed_data import address_of
from veritee.exceptions import CeremonyError, SignatureError
from veritee.gatekeeper.dkg_messages import DkgKind, SignedDkgMessage
from veritee.gatekeeper.key_history import PublishedKey
from veritee.gatekeeper.reshare_ceremony import ReshareCeremony

KEYS = dev_gatekeeper_keys(5)
MEMBERS = [address_of(k) for k in KEYS]
NEXT = replace(CEREMONY, epoch=2)
SECRET, OLD = dealt_key_shares(2, 3, seed="reshare-ceremony")
SOURCE = PublishedKey(1, tuple(MEMBERS[:3]), 2, OLD[0].public_key, OLD[0].public_shares)
Messages = list[SignedDkgMessage]
Deliver = Callable[[ReshareCeremony, Messages], Messages]


def _parties(
    new: Sequence[int], new_t: int, dealers: Sequence[int] = (1, 2, 3)
) -> list[ReshareCeremony]:
    """A ceremony per gatekeeper (0-based key positions) in the old or the new set."""
    parties = []
    for position, key in enumerate(KEYS):
        old_share = OLD[position] if position + 1 in dealers else None
        receiver = list(new).index(position) + 1 if position in new else None
        if old_share is None and receiver is None:
            continue
        parties.append(
            ReshareCeremony(
                signing_key=key,
                ceremony=NEXT,
                source=SOURCE,
                new_members=[MEMBERS[i] for i in new],
                new_t=new_t,
                old_share=old_share,
                receiver=receiver,
                encryption_key=X25519KeyPair.generate(SeededRng(("x25519", position))),
                rng=SeededRng(("reshare", position)),
            )
        )
    return parties


def _run(parties: Sequence[ReshareCeremony], deliver: Deliver = lambda _, m: m) -> list[KeyShare]:
    """Every step, the relay handing each party ``deliver(party, messages)``."""
    announcements = [a for p in parties if (a := p.announce()) is not None]
    deals = [d for p in parties if (d := p.deal(deliver(p, announcements))) is not None]
    receivers = [p for p in parties if p.receiver_index is not None]
    judged = [p.complaints(deliver(p, deals)) for p in receivers]
    complaints = [c for cs, _ in judged for c in cs]
    views = [v for _, v in judged]
    answered = [p.reveals(deliver(p, complaints), views) for p in parties]
    reveals = [r for rs, _ in answered for r in rs]
    views = [v for _, v in answered if v is not None]
    return [p.finalize(deliver(p, reveals), views) for p in receivers]


def _check_same_key(shares: Sequence[KeyShare], new_t: int) -> None:
    assert {s.public_key for s in shares} == {SOURCE.public_key}
    assert len({tuple(s.public_shares.items()) for s in shares}) == 1
    for share in shares:
        assert mul_base(share.secret) == share.public_shares[share.index]
    assert combine_secret([s.share for s in shares[:new_t]]) == SECRET


@pytest.mark.parametrize(
    ("new", "new_t"),
    [((0, 1, 2, 3), 3), ((1, 2), 2), ((3, 4), 2), ((0, 1, 2), 3)],
    ids=["add-a-member", "drop-one-reindex", "all-new-members", "raise-threshold"],
)
def test_reshare_keeps_the_key(new: Sequence[int], new_t: int) -> None:
    parties = _parties(new, new_t)
    shares = _run(parties)
    _check_same_key(shares, new_t)
    assert [s.index for s in shares] == list(range(1, len(new) + 1))
    assert {p.qualified for p in parties if p.receiver_index} == {frozenset({1, 2, 3})}


def test_t_old_dealers_are_enough() -> None:
    shares = _run(_parties((0, 1, 2, 3), 3, dealers=(1, 3)))
    _check_same_key(shares, 3)


class _Cheat(ReshareDealer):
    def _share_for(self, recipient: int) -> int:
        share = super()._share_for(recipient)
        return (share + 1) % N if recipient == 2 else share


def _cheating(monkeypatch: pytest.MonkeyPatch, cheaters: set[int]) -> None:
    def build(key_share: KeyShare, *args, **kwargs):  # type: ignore[no-untyped-def]
        dealer = _Cheat if key_share.index in cheaters else ReshareDealer
        return dealer(key_share, *args, **kwargs)

    monkeypatch.setattr("veritee.gatekeeper.reshare_ceremony.ReshareDealer", build)


def test_dealer_with_a_bad_share_is_excluded(monkeypatch: pytest.MonkeyPatch) -> None:
    _cheating(monkeypatch, {1})
    parties = _parties((0, 1, 2, 3), 3)
    shares = _run(parties)
    _check_same_key(shares, 3)
    assert {p.qualified for p in parties if p.receiver_index} == {frozenset({2, 3})}


def test_fewer_than_t_old_honest_dealers_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    _cheating(monkeypatch, {1, 2})
    with pytest.raises(CeremonyError, match="only 1 dealers qualified; at least 2 needed"):
        _run(_parties((0, 1, 2, 3), 3))


def test_every_new_member_must_announce() -> None:
    parties = _parties((0, 1, 2, 3), 3)
    announcements = [a for p in parties if (a := p.announce()) is not None]
    with pytest.raises(CeremonyError, match=r"no announcement from new gatekeepers \[4\]"):
        parties[0].deal(announcements[:3])


def test_a_deal_signed_by_another_gatekeeper_is_refused() -> None:
    parties = _parties((0, 1, 2, 3), 3)
    announcements = [a for p in parties if (a := p.announce()) is not None]
    deals = [d for p in parties if (d := p.deal(announcements)) is not None]
    forged = SignedDkgMessage.sign(
        KEYS[4],
        parties[0].domain,
        kind=DkgKind.DEAL,
        epoch=NEXT.epoch,
        sender=2,
        payload=deals[1].payload,
        session=deals[1].session,
    )
    with pytest.raises(SignatureError, match="claims to be from gatekeeper 2"):
        parties[3].complaints([deals[0], forged, deals[2]])


def test_deals_are_checked_against_the_old_set() -> None:
    # Member 4 is only in the new set: it announces and receives but cannot deal, and a deal
    # signed by it is from no old member.
    parties = _parties((0, 1, 2, 3), 3)
    newcomer = parties[3]
    assert (newcomer.dealer_index, newcomer.receiver_index) == (None, 4)
    announcements = [a for p in parties if (a := p.announce()) is not None]
    deals = [d for p in parties if (d := p.deal(announcements)) is not None]
    assert newcomer.deal(announcements) is None and len(deals) == 3
    forged = SignedDkgMessage.sign(
        KEYS[3],
        parties[0].domain,
        kind=DkgKind.DEAL,
        epoch=NEXT.epoch,
        sender=4,
        payload=deals[0].payload,
        session=deals[0].session,
    )
    with pytest.raises(CeremonyError, match="sender index 4 is not a member"):
        newcomer.complaints([*deals, forged])


def test_relay_dropping_a_deal_for_one_receiver_is_exposed() -> None:
    def drop(party: ReshareCeremony, messages: Messages) -> Messages:
        if party.receiver_index == 2:
            return [m for m in messages if not (m.kind is DkgKind.DEAL and m.sender == 3)]
        return messages

    with pytest.raises(CeremonyError, match=r"new gatekeepers \[2\] received other deals"):
        _run(_parties((0, 1, 2, 3), 3), drop)


def test_a_share_of_another_key_cannot_deal() -> None:
    _, foreign = dealt_key_shares(2, 3, seed="another key")
    with pytest.raises(CeremonyError, match="not a share of the published key"):
        ReshareCeremony(
            signing_key=KEYS[0],
            ceremony=NEXT,
            source=SOURCE,
            new_members=MEMBERS[:4],
            new_t=3,
            encryption_key=X25519KeyPair.generate(SeededRng("x25519")),
            old_share=foreign[0],
        )


def test_a_dealer_only_gatekeeper_does_not_receive() -> None:
    parties = _parties((1, 2, 3), 2)
    leaving = parties[0]
    assert leaving.dealer_index == 1 and leaving.receiver_index is None
    assert leaving.announce() is None
    with pytest.raises(CeremonyError, match="not a member of the new set"):
        leaving.complaints([])
