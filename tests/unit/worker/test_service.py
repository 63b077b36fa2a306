"""The HTTP API over a stand-in node: status codes, error bodies and documents (docs/jobs.md)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from eth_utils import to_checksum_address

from tests.unit.worker.support import delivery, result
from veritee.exceptions import ChainError, JobRejected
from veritee.protocol import BatchRequest, JobDelivery, SignedBatch
from veritee.worker.results import ResultBook
from veritee.worker.service import create_app

ENCLAVE = "0x" + "ab" * 20


class StandInNode:
    def __init__(self) -> None:
        self.ready = True
        self.accepting = True
        self.enclave = ENCLAVE
        self.book = ResultBook()
        self.refuse: Exception | None = None
        self.batches: list[BatchRequest] = []

    async def deliver(self, d: JobDelivery) -> tuple[bool, Any]:
        if self.refuse is not None:
            raise self.refuse
        return self.book.accept(d)[::-1]

    async def batch(self, request: BatchRequest) -> SignedBatch | None:
        self.batches.append(request)
        ready = self.book.available(0.0, 0, request.max_results)
        if not ready:
            return None
        results = self.book.lease([r.job_id for r in ready], request.relayer, 60.0)
        return SignedBatch(ENCLAVE, tuple(results), b"\x01" * 65)

    def status(self) -> dict[str, Any]:
        return {"enclave": ENCLAVE, "jobs": self.book.counts(0.0)}


def _run(node: StandInNode, scenario: Callable[[TestClient], Awaitable[None]]) -> None:
    async def main() -> None:
        async with TestClient(TestServer(create_app(node))) as client:  # type: ignore[arg-type]
            await scenario(client)

    asyncio.run(main())


def test_delivery_queues_then_is_idempotent() -> None:
    node = StandInNode()

    async def scenario(client: TestClient) -> None:
        first = await client.post("/v1/jobs", json=delivery(5).to_json())
        assert first.status == 202 and await first.json() == {"job_id": 5, "state": "queued"}
        again = await client.post("/v1/jobs", json=delivery(5).to_json())
        assert again.status == 200
        assert await again.json() == {"job_id": 5, "state": "queued", "timings_ms": {}}

    _run(node, scenario)


def test_delivery_errors() -> None:
    node = StandInNode()

    async def scenario(client: TestClient) -> None:
        malformed = await client.post("/v1/jobs", data=b"[1]")
        assert malformed.status == 400
        assert "not a JSON object" in (await malformed.json())["error"]
        missing = await client.post("/v1/jobs", json={"job_id": 1})
        assert missing.status == 400 and "missing field" in (await missing.json())["error"]
        node.refuse = JobRejected(5, "delivered input_uri differs from the chain's")
        refused = await client.post("/v1/jobs", json=delivery(5).to_json())
        assert refused.status == 409
        assert await refused.json() == {"error": "delivered input_uri differs from the chain's"}
        node.refuse = ChainError("connection refused")
        down = await client.post("/v1/jobs", json=delivery(5).to_json())
        assert down.status == 503 and "chain unavailable" in (await down.json())["error"]
        big = await client.post("/v1/jobs", data=io.BytesIO(b"x" * (2 << 20)))
        assert big.status == 400 and "limit" in (await big.json())["error"]
        node.accepting = False
        closed = await client.post("/v1/jobs", json=delivery(6).to_json())
        assert closed.status == 503 and "not accepting" in (await closed.json())["error"]
        health = await client.get("/v1/health")
        assert health.status == 503
        assert await health.json() == {"ok": False, "error": "worker is shutting down"}

    _run(node, scenario)


def test_job_document_and_unknown_jobs() -> None:
    node = StandInNode()
    node.book.accept(delivery(3))
    node.book.start(3)
    node.book.finish(
        3, result(3, status=3), reason="model artifact unavailable", timings_ms={"model": 2.0}
    )

    async def scenario(client: TestClient) -> None:
        answer = await client.get("/v1/jobs/3")
        assert answer.status == 200
        assert await answer.json() == {
            "job_id": 3,
            "state": "failed",
            "reason": "model artifact unavailable",
            "status": 3,
            "result_hash": "0x" + result(3).result_hash.hex(),
            "result_uri": result(3).result_uri,
            "timings_ms": {"model": 2.0},
        }
        assert (await client.get("/v1/jobs/4")).status == 404
        assert (await client.get("/v1/jobs/-1")).status == 400

    _run(node, scenario)


def test_batches_health_and_status() -> None:
    node = StandInNode()
    relayer = "0x" + "aa" * 20

    async def scenario(client: TestClient) -> None:
        empty = await client.post(
            "/v1/batches", json={"relayer": relayer, "max_results": 5, "lease_seconds": 30}
        )
        assert empty.status == 204
        node.book.accept(delivery(1))
        node.book.start(1)
        node.book.finish(1, result(1))
        batch = await client.post(
            "/v1/batches", json={"relayer": relayer, "max_results": 5, "lease_seconds": 30}
        )
        assert batch.status == 200
        signed = SignedBatch.from_json(await batch.json())
        assert list(signed.job_ids) == [1]
        assert node.batches[-1] == BatchRequest(to_checksum_address(relayer), 5, 30)
        bad = await client.post(
            "/v1/batches", json={"relayer": "nobody", "max_results": 5, "lease_seconds": 1}
        )
        assert bad.status == 400 and "relayer" in (await bad.json())["error"]
        health = await client.get("/v1/health")
        assert await health.json() == {"ok": True, "enclave": ENCLAVE}
        status = await client.get("/v1/status")
        assert (await status.json())["jobs"]["leased"] == 1
        node.ready = False
        assert (await client.get("/v1/health")).status == 503
        assert (await client.post("/v1/batches", json={})).status == 503

    _run(node, scenario)
