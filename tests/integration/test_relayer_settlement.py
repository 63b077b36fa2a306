"""Settlement under trouble: restarts mid-submission, relayers racing, and tampered batches.

The properties: every job is settled exactly once (counted in ``JobSettled`` events), a batch
is never broadcast twice, and nothing is paid for a batch the worker's key did not sign.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_relayer_fakes import (
    OPERATOR,
    RELAYER_A,
    RELAYER_B,
    ManualClock,
    World,
    build_world,
)
from veritee.chain import EmbeddedChain
from veritee.chain.types import JobStatus
from veritee.exceptions import ContractRevert
from veritee.relayer import Relayer, RelayerConfig, RelayerThread


class Crash(BaseException):
    """Stands for the process dying at a chosen instant."""


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with EmbeddedChain() as backend:
        yield build_world(backend)


@pytest.fixture
def fresh(world: World) -> Iterator[World]:
    snapshot = world.devnet.backend.snapshot()
    yield world
    world.devnet.backend.revert(snapshot)
    world.devnet.resync()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def _relayer(config: RelayerConfig, clock: ManualClock) -> Relayer:
    return Relayer(config, clock=clock, rng=random.Random(7))


def _assert_settled_once(world: World, jobs: list[int]) -> None:
    settled = world.settled()
    assert sorted(settled) == sorted(jobs), "every job settled, none twice"
    network = world.devnet.network(0)
    assert network.jobs.escrowed() == 0
    assert network.jobs.escrowed() + network.jobs.total_claimable() == network.token.balance_of(
        network.jobs.address
    )


def test_restart_after_broadcast_finds_the_receipt_and_sends_nothing_again(
    fresh: World, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        jobs = fresh.submit(3)
        config = fresh.config(tmp_path / "r.db")
        first = _relayer(config, clock)
        try:

            def die(*args: Any, **kwargs: Any) -> None:
                raise Crash

            monkeypatch.setattr(first.sender, "wait", die)
            with pytest.raises(Crash):
                first.tick()
            (open_one,) = first.store.submissions("sent")
            assert len(open_one.tx_hashes) == 1
        finally:
            first.close()
        assert fresh.sent_by(RELAYER_A) == 1  # it was broadcast (and mined) before the crash
        with _relayer(config, clock) as second:
            report = second.tick()
            assert (report.recovered, report.submitted) == (1, 0)
            assert [s.state for s in second.store.submissions()] == ["confirmed"]
            assert all(second.store.finished(job) == int(JobStatus.SETTLED) for job in jobs)
            clock.advance(3_600)
            assert second.tick().submitted == 0
        assert len(worker.batches) == 1
    assert fresh.sent_by(RELAYER_A) == 1
    _assert_settled_once(fresh, jobs)


def test_restart_after_recording_before_broadcast_settles_once(
    fresh: World, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        jobs = fresh.submit(2)
        config = fresh.config(tmp_path / "r.db", tx_timeout=60, lease_seconds=30)
        first = _relayer(config, clock)
        try:
            record = first.store.record_broadcast

            def record_then_die(*args: Any) -> None:
                record(*args)
                raise Crash

            monkeypatch.setattr(first.store, "record_broadcast", record_then_die)
            with pytest.raises(Crash):
                first.tick()
        finally:
            first.close()
        assert fresh.sent_by(RELAYER_A) == 0  # recorded, never sent
        with _relayer(config, clock) as second:
            # The node has never seen the hash, but it is young: the jobs stay in flight.
            report = second.tick()
            assert (report.recovered, report.submitted) == (0, 0)
            clock.advance(61)
            report = second.tick()
            assert (report.recovered, report.submitted, report.settled_jobs) == (1, 1, 2)
            states = [s.state for s in second.store.submissions()]
            assert states == ["dropped", "confirmed"]
    assert fresh.sent_by(RELAYER_A) == 1
    _assert_settled_once(fresh, jobs)


def test_two_relayers_running_at_once_settle_everything_exactly_once(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        jobs = fresh.submit(8)
        configs = [
            fresh.config(tmp_path / "a.db", RELAYER_A, batch_size=4),
            fresh.config(tmp_path / "b.db", RELAYER_B, batch_size=4),
        ]
        threads = [
            RelayerThread(c, clock=clock, rng=random.Random(i)) for i, c in enumerate(configs)
        ]
        for thread in threads:
            thread.start()
        try:
            deadline = time.monotonic() + 20
            while len(fresh.settled()) < len(jobs) and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            for thread in threads:
                thread.stop()
        # Leases handed the two relayers disjoint batches.
        leased = [job for batch in worker.batches for job in batch.job_ids]
        assert sorted(leased) == jobs
    _assert_settled_once(fresh, jobs)


def test_a_settlement_that_loses_a_race_reverts_and_its_jobs_are_marked(
    fresh: World, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        worker.ignore_leases = True  # a careless worker: both relayers get the same batch
        jobs = fresh.submit(2)
        a = _relayer(fresh.config(tmp_path / "a.db", RELAYER_A), clock)
        b = _relayer(fresh.config(tmp_path / "b.db", RELAYER_B), clock)
        try:
            build = b.network.jobs.settle_tx

            def build_then_lose_the_race(*args: Any, **kwargs: Any) -> Any:
                tx = build(*args, **kwargs)  # the estimate passes: the jobs are pending
                other = threading.Thread(target=a.tick)  # A settles them first
                other.start()
                other.join()
                return tx

            monkeypatch.setattr(b.network.jobs, "settle_tx", build_then_lose_the_race)
            report = b.tick()
            assert (report.submitted, report.reverted, report.settled_jobs) == (1, 1, 0)
            assert [s.state for s in b.store.submissions()] == ["reverted"]
            assert "Jobs: job not pending" in str(b.store.submissions()[0].error)
            assert all(b.store.finished(job) == int(JobStatus.SETTLED) for job in jobs)
            assert b.tick().submitted == 0
        finally:
            a.close()
            b.close()
    assert (fresh.sent_by(RELAYER_A), fresh.sent_by(RELAYER_B)) == (1, 1)
    _assert_settled_once(fresh, jobs)


def test_a_batch_that_would_revert_is_dropped_before_paying_gas(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        worker.offer_finished = worker.ignore_leases = True  # it offers settled results too
        jobs = fresh.submit(2)
        fresh.devnet.backend.mine(2)
        with _relayer(fresh.config(tmp_path / "a.db", RELAYER_A), clock) as a:
            assert a.tick().settled_jobs == 2
        # B lags two blocks behind the head: it sees the jobs, not yet their settlement.
        config = fresh.config(tmp_path / "b.db", RELAYER_B, confirmations=2)
        with _relayer(config, clock) as b:
            report = b.tick()
            assert (report.delivered, report.submitted, report.reverted) == (2, 0, 1)
            assert b.store.submissions() == []
            assert all(b.store.finished(job) == int(JobStatus.SETTLED) for job in jobs)
    assert fresh.sent_by(RELAYER_B) == 0
    _assert_settled_once(fresh, jobs)


def test_a_tampered_batch_is_refused_locally_and_reverts_if_forced_on_chain(
    fresh: World, clock: ManualClock, tmp_path: Path
) -> None:
    network = fresh.devnet.network(0)
    operator = fresh.devnet.backend.accounts[OPERATOR].address
    with fresh.worker(clock) as worker:
        fresh.point_worker_to(worker.url)
        worker.tamper = True  # a result hash changed after the enclave signed
        (job,) = fresh.submit(1)
        escrowed = network.jobs.escrowed()
        with _relayer(fresh.config(tmp_path / "r.db"), clock) as relayer:
            report = relayer.tick()
            assert (report.submitted, report.settled_jobs) == (0, 0)
            (reason,) = report.rejected
            assert f"batch of jobs [{job}] from worker {fresh.enclave} refused" in reason
            assert f"batch is not signed by worker {fresh.enclave}" in reason
            assert relayer.store.submissions() == []
        assert fresh.sent_by(RELAYER_A) == 0
        forged = worker.batches[-1]
    # Forced on-chain by someone who skips the check: the contract refuses it, pays nothing.
    peer = fresh.devnet.network(RELAYER_B)
    tx = peer.jobs.settle_tx(forged.worker, forged.results, forged.signature, gas=2_000_000)
    assert peer.sender is not None
    with pytest.raises(ContractRevert) as caught:
        peer.sender.send_and_wait(tx, function="Jobs.settle")
    assert caught.value.raw == "Jobs: invalid result signature"
    assert fresh.status(job) is JobStatus.PENDING
    assert network.jobs.escrowed() == escrowed
    assert network.jobs.claimable(operator) == 0
    assert fresh.settled() == []
