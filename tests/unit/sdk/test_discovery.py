"""Asking a worker for its load: every way ``/v1/status`` can fail keeps the worker, excluded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from veritee.chain.types import TeeKind
from veritee.sdk import WorkerCandidate, WorkerLoad
from veritee.sdk.discovery import fetch_load

ENCLAVE = "0x" + "ab" * 20
CANDIDATE = WorkerCandidate(
    enclave=ENCLAVE,
    operator="0x" + "01" * 20,
    endpoint="http://worker.test:8700/",
    price=1,
    tee_kind=TeeKind.SIMULATED,
    measurement=b"\x00" * 32,
    x25519_key=b"\x00" * 32,
    expiry=0,
)


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _ask(handler: Callable[[httpx.Request], httpx.Response]) -> WorkerCandidate:
    async def run() -> WorkerCandidate:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            return await fetch_load(http, CANDIDATE)

    return asyncio.run(run())


def test_a_worker_that_answers_gets_its_load() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == "http://worker.test:8700/v1/status"
        body = {
            "enclave": ENCLAVE.upper().replace("0X", "0x"),
            "capacity": 2,
            "counts": {"queued": 1},
        }
        return httpx.Response(200, json=body)

    answered = _ask(handler)
    assert answered.eligible and answered.load == WorkerLoad(2, 1, 0)


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (_refuse, "unreachable"),
        (lambda r: httpx.Response(503, json={"error": "starting"}), "answered HTTP 503"),
        (lambda r: httpx.Response(200, text="<html>"), "malformed"),
        (lambda r: httpx.Response(200, json={"capacity": "many"}), "malformed"),
        (
            lambda r: httpx.Response(200, json={"enclave": "0x" + "cd" * 20, "capacity": 1}),
            "another enclave",
        ),
        (
            lambda r: httpx.Response(200, json={"accepting": False, "capacity": 1}),
            "not accepting jobs",
        ),
    ],
)
def test_a_worker_that_does_not_answer_well_is_excluded_with_the_reason(
    handler: Callable[[httpx.Request], httpx.Response], reason: str
) -> None:
    excluded = _ask(handler)
    assert not excluded.eligible and excluded.load is None
    assert excluded.excluded is not None and reason in excluded.excluded
