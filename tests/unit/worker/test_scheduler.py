"""JobScheduler: at most `capacity` jobs at once, nothing dropped, a drain that cuts short."""

from __future__ import annotations

import asyncio

from veritee.worker.scheduler import JobScheduler


def test_capacity_is_respected_and_every_job_runs() -> None:
    async def scenario() -> None:
        active = 0
        peak = 0
        done: list[int] = []

        async def run(job_id: int) -> None:
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1
            done.append(job_id)

        scheduler = JobScheduler(run, capacity=3)
        scheduler.start()
        for job_id in range(10):
            scheduler.submit(job_id)
        while len(done) < 10:
            await asyncio.sleep(0.01)
        assert peak == 3 and sorted(done) == list(range(10))
        assert await scheduler.drain(1.0) == set()

    asyncio.run(scenario())


def test_drain_waits_then_cuts_short_and_leaves_the_queue() -> None:
    async def scenario() -> None:
        started: list[int] = []
        cancelled: list[int] = []
        release = asyncio.Event()

        async def run(job_id: int) -> None:
            started.append(job_id)
            try:
                if job_id == 1:
                    await asyncio.sleep(60)
                await release.wait()
            except asyncio.CancelledError:
                cancelled.append(job_id)
                raise

        scheduler = JobScheduler(run, capacity=2)
        scheduler.start()
        for job_id in (1, 2, 3):
            scheduler.submit(job_id)
        await asyncio.sleep(0.01)
        assert started == [1, 2] and scheduler.running == {1, 2}
        asyncio.get_running_loop().call_later(0.02, release.set)
        cut = await scheduler.drain(0.2)
        assert cut == {1} and cancelled == [1]
        assert started == [1, 2]  # job 3 was never started: it stays queued

    asyncio.run(scenario())


def test_an_error_in_one_job_does_not_stop_the_runner(caplog) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        done: list[int] = []

        async def run(job_id: int) -> None:
            if job_id == 1:
                raise RuntimeError("bug")
            done.append(job_id)

        scheduler = JobScheduler(run, capacity=1)
        scheduler.start()
        scheduler.submit(1)
        scheduler.submit(2)
        scheduler.retry_later(3, 0.01)
        await asyncio.sleep(0.05)
        assert done == [2, 3]
        await scheduler.drain(0.1)

    asyncio.run(scenario())
    assert "job 1: unexpected error" in caplog.text
