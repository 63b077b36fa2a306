"""The relayer's side of a worker's HTTP API (docs/jobs.md): deliver, status, batch.

A thin async layer over one shared ``httpx.AsyncClient``: it turns HTTP answers into the plain
values the relayer decides on, and transport failures into a ``None`` status with a reason.
Nothing a worker says is trusted: a batch is parsed here and its signature checked later.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from veritee.exceptions import JobError
from veritee.protocol import BatchRequest, JobDelivery, SignedBatch
from veritee.protocol.messages import decode_json

__all__ = ["DeliveryAnswer", "WorkerClient"]

_REASON_LIMIT = 500


@dataclass(frozen=True)
class DeliveryAnswer:
    """A worker's answer to one delivery: the HTTP status (None: no answer) and why."""

    status_code: int | None
    reason: str | None = None


def _reason(response: httpx.Response) -> str:
    """The ``{"error": ...}`` reason of an error answer, or a short excerpt of its body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        text = body["error"]
    else:
        text = response.text or response.reason_phrase
    return f"HTTP {response.status_code}: {text[:_REASON_LIMIT]}"


def _url(endpoint: str, path: str) -> str:
    return endpoint.rstrip("/") + path


class WorkerClient:
    """Talks to workers at their on-chain endpoints through one pooled HTTP client."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def deliver(self, endpoint: str, delivery: JobDelivery) -> DeliveryAnswer:
        """``POST /v1/jobs``; never raises for a worker's failure, only reports it."""
        try:
            response = await self._http.post(_url(endpoint, "/v1/jobs"), json=delivery.to_json())
        except httpx.HTTPError as exc:
            return DeliveryAnswer(None, f"{type(exc).__name__}: {exc}"[:_REASON_LIMIT])
        if response.is_success:
            return DeliveryAnswer(response.status_code)
        return DeliveryAnswer(response.status_code, _reason(response))

    async def ready_count(self, endpoint: str) -> int | None:
        """``GET /v1/status``'s count of ready results, or None when the worker cannot say.

        The counts per state are read from ``jobs`` (as ``veritee.worker`` reports them) or
        ``counts``.
        """
        try:
            response = await self._http.get(_url(endpoint, "/v1/status"))
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError):
            return None
        if not isinstance(body, dict):
            return None
        counts = body.get("jobs") if isinstance(body.get("jobs"), dict) else body.get("counts")
        ready = counts.get("ready") if isinstance(counts, dict) else None
        if isinstance(ready, bool) or not isinstance(ready, int) or ready < 0:
            return None
        return ready

    async def request_batch(self, endpoint: str, request: BatchRequest) -> SignedBatch | None:
        """``POST /v1/batches``: a signed batch (unchecked), or None when nothing is ready.

        Raises :class:`JobError` when the worker cannot be reached or answers with an error or
        a malformed batch.
        """
        url = _url(endpoint, "/v1/batches")
        try:
            response = await self._http.post(url, json=request.to_json())
        except httpx.HTTPError as exc:
            raise JobError(f"batch request to {url} failed: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 204:
            return None
        if response.status_code != 200:
            raise JobError(f"batch request to {url} refused: {_reason(response)}")
        return SignedBatch.from_json(decode_json(response.content, f"batch from {url}"))
