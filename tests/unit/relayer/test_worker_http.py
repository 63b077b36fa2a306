"""The relayer's HTTP side on a mock transport: delivery outcomes, backoff, status, batches."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from eth_utils import to_checksum_address

from veritee.crypto.typed_data import JobResult
from veritee.exceptions import JobError
from veritee.protocol import BatchRequest, JobDelivery, SignedBatch
from veritee.relayer.delivery import DeliveryTally, JobCourier
from veritee.relayer.policy import RetryPolicy
from veritee.relayer.records import NewJob
from veritee.relayer.store import RelayerStore
from veritee.relayer.worker_client import WorkerClient

WORKER = to_checksum_address("0x" + "aa" * 20)
ENDPOINT = "http://worker.test:8700/"
Handler = Callable[[httpx.Request], httpx.Response]


def delivery(job_id: int) -> JobDelivery:
    return JobDelivery(job_id, WORKER, 1, (), bytes(32), "blob://in", bytes(32), 10_000)


class Directory:
    """Stands in for WorkerDirectory: one endpoint, and a record of what was forgotten."""

    def __init__(self) -> None:
        self.forgotten: list[str] = []

    def endpoint(self, worker: str) -> str:
        return ENDPOINT

    def forget(self, worker: str) -> None:
        self.forgotten.append(worker)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RelayerStore]:
    with RelayerStore(tmp_path / "r.db") as opened:
        jobs = [NewJob(j, WORKER, 10_000, 1, json.dumps(delivery(j).to_json())) for j in (1, 2, 3)]
        opened.advance(1, "0x1", jobs, {})
        yield opened


def run_round(
    store: RelayerStore, handler: Handler, now: float, *, max_attempts: int = 3
) -> tuple[DeliveryTally, Directory]:
    directory = Directory()

    async def go() -> DeliveryTally:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            courier = JobCourier(
                store,
                directory,  # type: ignore[arg-type]
                WorkerClient(http),
                RetryPolicy(max_attempts, base_backoff=2.0, max_backoff=60.0, jitter=0.0),
                rng=random.Random(1),
                clock=lambda: now,
                concurrency=2,
            )
            return await courier.deliver_due(chain_time=0)

    return asyncio.run(go()), directory


def test_outcomes_by_answer(store: RelayerStore) -> None:
    seen: list[dict[str, object]] = []

    def worker(request: httpx.Request) -> httpx.Response:
        assert request.url == "http://worker.test:8700/v1/jobs"
        body = json.loads(request.content)
        seen.append(body)
        job_id = body["job_id"]
        if job_id == 1:
            return httpx.Response(202, json={"job_id": 1, "state": "queued"})
        if job_id == 2:
            return httpx.Response(409, json={"error": "job not assigned to this worker"})
        return httpx.Response(503, text="overloaded")

    tally, directory = run_round(store, worker, now=100.0)
    assert tally == DeliveryTally(delivered=1, refused=1, retrying=1)
    assert sorted(b["job_id"] for b in seen) == [1, 2, 3]  # type: ignore[type-var]
    assert JobDelivery.from_json(seen[0]) in {delivery(1), delivery(2), delivery(3)}
    rows = {j: store.delivery(j) for j in (1, 2, 3)}
    assert rows[1] is not None and (rows[1].state, rows[1].delivered_at) == ("delivered", 100.0)
    assert rows[2] is not None and rows[2].state == "refused"
    assert rows[2].last_error == "HTTP 409: job not assigned to this worker"
    assert rows[3] is not None and (rows[3].state, rows[3].last_error) == (
        "pending",
        "HTTP 503: overloaded",
    )
    assert rows[3].next_attempt_at == 102.0
    assert directory.forgotten == []  # the worker answered: its endpoint is right


def test_network_errors_back_off_then_give_up(store: RelayerStore) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    now = 0.0
    waits = []
    for _ in range(2):
        tally, directory = run_round(store, down, now)
        assert tally.retrying == 3 and directory.forgotten == [WORKER] * 3
        row = store.delivery(1)
        assert row is not None and row.last_error == "ConnectError: connection refused"
        waits.append(row.next_attempt_at - now)
        assert run_round(store, down, now)[0] == DeliveryTally()  # not due yet
        now = row.next_attempt_at
    assert waits == [2.0, 4.0]
    tally, _ = run_round(store, down, now)
    assert tally.abandoned == 3
    assert run_round(store, down, now + 1e6)[0] == DeliveryTally()


def test_ready_count_reads_status_counts() -> None:
    answers = {
        "good": httpx.Response(200, json={"counts": {"ready": 7, "leased": 1}}),
        "worker": httpx.Response(200, json={"jobs": {"ready": 3}, "capacity": {}}),
        "missing": httpx.Response(200, json={"enclave": WORKER}),
        "negative": httpx.Response(200, json={"counts": {"ready": -1}}),
        "error": httpx.Response(500, json={"error": "boom"}),
        "garbage": httpx.Response(200, text="not json"),
    }

    async def go() -> dict[str, int | None]:
        found = {}
        for name, response in answers.items():
            transport = httpx.MockTransport(lambda request, r=response: r)
            async with httpx.AsyncClient(transport=transport) as http:
                found[name] = await WorkerClient(http).ready_count(ENDPOINT)
        return found

    assert asyncio.run(go()) == {
        "good": 7,
        "worker": 3,
        "missing": None,
        "negative": None,
        "error": None,
        "garbage": None,
    }


def _ask(response: httpx.Response | Exception) -> SignedBatch | None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/batches"
        assert json.loads(request.content) == {
            "relayer": WORKER,
            "max_results": 5,
            "lease_seconds": 30,
        }
        if isinstance(response, Exception):
            raise response
        return response

    async def go() -> SignedBatch | None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            return await WorkerClient(http).request_batch(ENDPOINT, BatchRequest(WORKER, 5, 30))

    return asyncio.run(go())


def test_request_batch_answers() -> None:
    batch = SignedBatch(WORKER, (JobResult(1, bytes(32), "blob://r"),), b"\x01" * 65)
    assert _ask(httpx.Response(204)) is None
    assert _ask(httpx.Response(200, json=batch.to_json())) == batch
    with pytest.raises(JobError, match="refused: HTTP 503: not registered yet"):
        _ask(httpx.Response(503, json={"error": "not registered yet"}))
    with pytest.raises(JobError, match="signed batch: missing field signature"):
        _ask(httpx.Response(200, json={"worker": WORKER, "results": batch.to_json()["results"]}))
    with pytest.raises(JobError, match="not JSON"):
        _ask(httpx.Response(200, text="<html>"))
    with pytest.raises(JobError, match="failed: ReadTimeout"):
        _ask(httpx.ReadTimeout("slow"))
