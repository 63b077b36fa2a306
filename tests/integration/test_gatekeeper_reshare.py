"""Resharing the network key over HTTP: three gatekeepers (t = 2) hand it to a new set.

The world (``gatekeeper_world.build_world``) has a published key, a registered worker, a
capsule sealed to the key and a job. Each test installs a new set on-chain as the owner, runs
the resharing through the relay and checks the chain and the gatekeepers afterwards; the chain
is reverted after each test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.gatekeeper_world import World, build_world
from veritee.chain.devnet import dev_gatekeeper_keys
from veritee.crypto.secp256k1 import N
from veritee.crypto.threshold import KeyShare, ReshareDealer, combine_secret
from veritee.crypto.typed_data import address_of
from veritee.exceptions import CeremonyError, KeyNotReady, QuorumError
from veritee.gatekeeper.audit import verify_audit_log
from veritee.gatekeeper.outcomes import OutcomeKind
from veritee.gatekeeper.reshare_orchestrator import run_reshare

KEYS = dev_gatekeeper_keys(4)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = build_world(tmp_path_factory.mktemp("reshare"))
    world.devnet.gatekeeper_keys.append(KEYS[3])  # the newcomer, started once it is a member
    yield world
    world.local.stop()


@pytest.fixture
def world(built: World) -> Iterator[World]:
    snapshot = built.devnet.backend.snapshot()
    yield built
    built.devnet.backend.revert(snapshot)
    built.devnet.resync()
    for index, node in built.local.nodes.items():
        node.index = index  # a resharing may have moved it
        node.refresh_key()


def _install(world: World, members: list[int], threshold: int) -> None:
    """The owner installs gatekeepers ``members`` (1-based dev key numbers) with ``threshold``."""
    gatekeepers = world.devnet.network(0).gatekeepers
    gatekeepers.set_gatekeepers([address_of(KEYS[i - 1]) for i in members], threshold)
    if 4 in members and 4 not in world.local.nodes:
        world.local.start()  # the newcomer, the first time it is in the set


def _open_capsule(world: World, indices: list[int], threshold: int, **options: Any) -> Any:
    endpoints = [e for e in world.local.endpoints if e.index in indices]
    with world.client(endpoints) as client:
        return world.capsule_key(client, threshold=threshold, **options)


def _secret(world: World, indices: list[int]) -> int:
    """The network secret the active shares of ``indices`` combine to (a test-only check)."""
    return combine_secret([world.local.nodes[i].key_share().share for i in indices])


def test_three_gatekeepers_reshare_to_four_with_t_3(world: World) -> None:
    gatekeepers = world.devnet.network(0).gatekeepers
    network_key, old_shares = gatekeepers.network_key(), world.public_shares()
    secret = _secret(world, [1, 3])
    _install(world, [1, 2, 3, 4], 3)
    result = world.local.run_reshare()

    assert (result.epoch, result.source_epoch, result.threshold) == (2, 1, 3)
    assert result.dealers == (1, 2, 3) and len(result.signers) == 3
    assert gatekeepers.key_published() and gatekeepers.epoch() == 2
    assert gatekeepers.network_key() == network_key == result.public_key.xy
    new_shares = world.public_shares()
    assert len(new_shares) == 4 and new_shares != old_shares
    for index, node in world.local.nodes.items():
        key = node.key_share()
        assert (key.index, key.t, key.n) == (index, 3, 4)
        assert key.public_shares == new_shares
    sealed = world.local.nodes[4].store.path(2)
    assert sealed.stat().st_mode & 0o777 == 0o600
    assert world.local.nodes[4].store.load(2, 4) == world.local.nodes[4].key_share()

    release = _open_capsule(world, [1, 2, 3, 4], 3, wait_for_all=True)
    assert release.key == world.data_key and release.used == (1, 2, 3, 4)
    assert _secret(world, [1, 2, 4]) == _secret(world, [2, 3, 4]) == secret
    records = verify_audit_log(world.local.nodes[4].audit.path)
    steps = [r["step"] for r in records if r["event"] == "reshare"]
    assert steps == ["start", "finalized"]


def test_a_second_resharing_moves_a_member_to_another_index(world: World) -> None:
    _install(world, [1, 2, 3, 4], 3)
    world.local.run_reshare()
    _install(world, [1, 2, 4], 2)  # gatekeeper 3 leaves; the newcomer becomes member 3
    result = world.local.run_reshare()
    assert (result.epoch, result.source_epoch, result.dealers) == (3, 2, (1, 2, 3, 4))
    newcomer = world.local.nodes[4]
    assert newcomer.index == 3 and newcomer.key_share().index == 3
    endpoints = [
        dataclasses.replace(e, index=world.local.nodes[e.index].index)
        for e in world.local.endpoints
        if e.index != 3
    ]
    with world.client(endpoints) as client:
        release = world.capsule_key(client, wait_for_all=True)
    assert release.key == world.data_key and release.used == (1, 2, 3)


def test_a_gatekeeper_that_leaves_stops_serving(world: World) -> None:
    _install(world, [1, 2], 2)
    result = world.local.run_reshare()
    assert result.dealers == (1, 2, 3) and len(world.public_shares()) == 2
    assert _open_capsule(world, [1, 2], 2).key == world.data_key
    with pytest.raises(KeyNotReady):
        world.local.nodes[3].key_share()
    with pytest.raises(QuorumError) as caught:
        _open_capsule(world, [3], 1)
    outcome = caught.value.outcomes[3]  # type: ignore[attr-defined]
    assert (outcome.kind, outcome.reason) == (OutcomeKind.UNAVAILABLE, "no network key yet")
    start = httpx.post(f"{world.local.endpoints[2].url}/v1/reshare/start", content=b"{}")
    assert start.status_code == 409 and start.json()["reason"] == "key already published"


class _Cheat(ReshareDealer):
    """Deals gatekeeper 2 a share off its polynomial (and reveals the same when accused)."""

    def _share_for(self, recipient: int) -> int:
        share = super()._share_for(recipient)
        return (share + 1) % N if recipient == 2 else share


def _cheating(monkeypatch: pytest.MonkeyPatch, cheaters: set[int]) -> None:
    def build(key_share: KeyShare, *args: Any, **kwargs: Any) -> ReshareDealer:
        dealer = _Cheat if key_share.index in cheaters else ReshareDealer
        return dealer(key_share, *args, **kwargs)

    monkeypatch.setattr("veritee.gatekeeper.reshare_ceremony.ReshareDealer", build)


def test_a_dealer_sending_a_bad_share_is_excluded(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = _secret(world, [1, 2])
    _cheating(monkeypatch, {1})
    _install(world, [1, 2, 3, 4], 3)
    result = world.local.run_reshare()
    assert result.dealers == (2, 3)
    assert _secret(world, [1, 2, 3]) == _secret(world, [2, 3, 4]) == secret
    finalized = [r for r in verify_audit_log(world.local.nodes[2].audit.path) if "dealers" in r]
    assert finalized[-1]["dealers"] == [2, 3]


def test_fewer_than_t_old_honest_gatekeepers_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cheating(monkeypatch, {1, 2})
    _install(world, [1, 2, 3, 4], 3)
    with pytest.raises(CeremonyError) as caught:
        world.local.run_reshare()
    assert caught.value.reason == "no quorum"
    assert "only 1 dealers qualified; at least 2 needed" in str(caught.value)
    assert not world.devnet.network(0).gatekeepers.key_published()
    with pytest.raises(KeyNotReady):
        world.local.nodes[4].key_share()


def test_too_few_old_gatekeepers_reachable_fails_before_dealing(world: World) -> None:
    _install(world, [1], 1)
    urls = [world.local.endpoints[0].url]
    with pytest.raises(CeremonyError) as caught:
        run_reshare(urls, world.devnet.network(0))
    assert caught.value.reason == "too few old gatekeepers"
    assert "only 1 old gatekeepers hold a share of the key of epoch 1, 2 needed" in str(
        caught.value
    )


def test_nothing_to_reshare_while_the_key_is_published(world: World) -> None:
    with pytest.raises(CeremonyError, match="set the new gatekeeper set on-chain"):
        world.local.run_reshare()


def test_a_new_set_cannot_run_a_fresh_dkg_over_an_existing_key(world: World) -> None:
    _install(world, [1, 2, 3], 2)  # a new epoch, its key not yet published
    with pytest.raises(CeremonyError, match=r"inherits an existing network key: reshare it"):
        world.local.run_dkg()
    result = world.local.run_reshare()  # what it must do instead
    assert result.public_key.xy == world.devnet.network(0).gatekeepers.network_key()
