"""ChainView: answers cached per block hash, read afresh at the next block, head re-read on time.

A fake chain stands in for web3 and the contract clients: it counts every read, so the tests can
tell a cached answer from a chain read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from veritee.gatekeeper.chain_view import BlockFacts, ChainView

ENCLAVE = "0x" + "ab" * 20


@dataclass
class FakeChain:
    """Blocks ``0..head``, and per block whether the worker is certified; counts reads."""

    head: int = 10
    revoked_from: int | None = None
    reads: list[tuple[str, int]] = field(default_factory=list)

    def block_hash(self, number: int) -> bytes:
        return number.to_bytes(32, "big")

    # -- web3's provider, as ChainView._header calls it
    def make_request(self, method: str, params: list[Any]) -> dict[str, Any]:
        assert method == "eth_getBlockByNumber"
        number = self.head if params[0] == "latest" else int(params[0], 16)
        self.reads.append(("head", number))
        block = {"number": hex(number), "hash": "0x" + self.block_hash(number).hex()}
        return {"result": {**block, "timestamp": hex(1_000 + number)}}

    def certified(self, number: int) -> bool:
        return self.revoked_from is None or number < self.revoked_from


class PinnedClient:
    def __init__(self, chain: FakeChain, number: int | None = None) -> None:
        self.chain, self.number = chain, number

    def at_block(self, number: int) -> PinnedClient:
        return PinnedClient(self.chain, number)

    def _read(self, what: str) -> tuple[str, int]:
        assert self.number is not None, "reads must be pinned to a block"
        self.chain.reads.append((what, self.number))
        return what, self.number

    def is_certified(self, enclave: str) -> bool:
        self._read("certified")
        return self.chain.certified(self.number or 0)

    def worker(self, enclave: str) -> tuple[str, int]:
        return self._read("worker")

    def job(self, job_id: int) -> tuple[str, int]:
        return self._read("job")

    def capsule(self, capsule_id: int) -> tuple[str, int]:
        return self._read("capsule")


class FakeNetwork:
    def __init__(self, chain: FakeChain) -> None:
        self.w3 = type("W3", (), {"provider": chain})()
        self.jobs = self.capsules = self.workers = PinnedClient(chain)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _view(chain: FakeChain, head_max_age: float = 0.5, clock: Clock | None = None) -> ChainView:
    return ChainView(
        FakeNetwork(chain),  # type: ignore[arg-type]
        2,
        head_max_age=head_max_age,
        clock=clock or Clock(),
    )


def _decide(view: ChainView, block: BlockFacts) -> bool:
    """The reads a capsule-share decision makes; returns the certification verdict."""
    view.worker(block, ENCLAVE)
    view.job(block, 7)
    view.capsule(block, 3)
    return view.is_certified(block, ENCLAVE)


KEYS = (("worker", ENCLAVE), ("certified", ENCLAVE), ("job", 7), ("capsule", 3))


def test_decisions_pin_latest_minus_confirmations() -> None:
    chain = FakeChain(head=10)
    block = _view(chain).pinned()
    assert (block.number, block.hash, block.timestamp) == (8, chain.block_hash(8), 1_008)


def test_a_second_decision_at_the_same_block_reads_nothing() -> None:
    chain = FakeChain()
    view = _view(chain)
    block = view.pinned()
    _decide(view, block)
    reads = len(chain.reads)
    assert _decide(view, view.pinned()) is True
    assert len(chain.reads) == reads  # head fresh, every fact cached


def test_the_next_block_reads_afresh_and_sees_a_revocation() -> None:
    chain = FakeChain(head=10)
    view = _view(chain, head_max_age=0.0)
    assert _decide(view, view.pinned()) is True
    chain.revoked_from, chain.head = 9, 11  # revoked in block 9, confirmed at head 11
    block = view.pinned()
    assert block.number == 9
    assert _decide(view, block) is False
    assert {("certified", 9), ("worker", 9), ("job", 9), ("capsule", 9)} <= set(chain.reads)


def test_a_fresh_head_is_reused_until_head_max_age() -> None:
    chain = FakeChain(head=10)
    clock = Clock()
    view = _view(chain, head_max_age=0.5, clock=clock)
    first = view.pinned()
    chain.head = 11
    clock.now += 0.4
    assert view.pinned() == first  # at most head_max_age old
    clock.now += 0.2
    assert view.pinned().number == first.number + 1


def test_answers_cached_only_when_deciding_would_read_nothing() -> None:
    chain = FakeChain(head=10)
    clock = Clock()
    view = _view(chain, head_max_age=0.5, clock=clock)
    assert not view.answers_cached(*KEYS)  # no head read yet
    block = view.pinned()
    assert not view.answers_cached(*KEYS)  # head fresh, facts not read at it
    _decide(view, block)
    assert view.answers_cached(*KEYS)
    assert not view.answers_cached(*KEYS, ("job", 8))  # another job: not read yet
    clock.now += 0.5
    assert not view.answers_cached(*KEYS)  # the head is due for a re-read
    chain.head = 11
    view.pinned()
    assert not view.answers_cached(*KEYS)  # a new block: nothing cached at it yet


def test_answers_cached_is_never_true_when_the_head_is_read_per_decision() -> None:
    chain = FakeChain()
    view = _view(chain, head_max_age=0.0)
    _decide(view, view.pinned())
    assert not view.answers_cached(*KEYS)


@pytest.mark.parametrize("size", [1, 3])
def test_the_cache_is_bounded(size: int) -> None:
    chain = FakeChain()
    view = ChainView(FakeNetwork(chain), 0, cache_size=size)  # type: ignore[arg-type]
    block = view.pinned()
    for job in range(5):
        view.job(block, job)
    reads = len(chain.reads)
    view.job(block, 0)  # evicted: read again
    assert len(chain.reads) == reads + 1
    view.job(block, 0)
    assert len(chain.reads) == reads + 1
