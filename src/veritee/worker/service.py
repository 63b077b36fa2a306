"""The worker's HTTP API (aiohttp) over a :class:`~veritee.worker.node.WorkerNode` (docs/jobs.md).

Routes (JSON bodies, bytes as 0x-hex)::

    POST /v1/jobs        a relayer delivers a job -> 202 queued, 200 known, 409 refused
    GET  /v1/jobs/{id}   the job's state, failure reason, result and phase timings
    POST /v1/batches     a signed batch of finished results leased to a relayer, or 204
    GET  /v1/health      200 once registered and serving, 503 before and while stopping
    GET  /v1/status      enclave, attestation, terms, capacity, jobs per state

Errors are ``{"error": "<reason>"}``: 400 malformed, 404 unknown job, 409 refused delivery,
503 booting, shutting down or chain unreachable.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from veritee.exceptions import ChainError, JobError, JobRejected, VeriteeError
from veritee.protocol import BatchRequest, JobDelivery
from veritee.protocol.messages import decode_json
from veritee.worker.node import WorkerNode
from veritee.worker.results import JobRecord

__all__ = ["create_app", "job_document"]

_log = logging.getLogger("veritee.worker")
_MAX_BODY = 1 << 20
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_NODE = web.AppKey("node", WorkerNode)


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return _error(400, f"body over the {_MAX_BODY}-byte limit")
    except web.HTTPException as exc:
        return _error(exc.status, exc.reason.lower())
    except JobRejected as exc:
        return _error(409, exc.reason)
    except JobError as exc:
        return _error(400, str(exc))
    except ChainError as exc:
        return _error(503, f"chain unavailable: {exc}")
    except VeriteeError as exc:
        _log.exception("unexpected error in %s", request.path)
        return _error(500, type(exc).__name__)


def job_document(record: JobRecord) -> dict[str, Any]:
    """``GET /v1/jobs/{id}``: the state view, the result once there is one, and timings."""
    body = record.view().to_json()
    if record.result is not None:
        body["status"] = record.result.status
        body["result_hash"] = "0x" + record.result.result_hash.hex()
        body["result_uri"] = record.result.result_uri
    body["timings_ms"] = dict(record.timings_ms)
    return body


async def _deliver(request: web.Request) -> web.Response:
    node = request.app[_NODE]
    if not node.accepting:
        return _error(503, "worker is not accepting jobs (starting or shutting down)")
    delivery = JobDelivery.from_json(decode_json(await request.read(), "job delivery"))
    new, record = await node.deliver(delivery)
    if new:
        return web.json_response({"job_id": record.job_id, "state": "queued"}, status=202)
    return web.json_response(job_document(record), status=200)


async def _job(request: web.Request) -> web.Response:
    node = request.app[_NODE]
    text = request.match_info["job_id"]
    if not text.isdigit() or len(text) > 78:
        return _error(400, "job id must be a non-negative integer")
    record = node.book.get(int(text))
    if record is None:
        return _error(404, f"job {text} is not known to this worker")
    return web.json_response(job_document(record))


async def _batch(request: web.Request) -> web.StreamResponse:
    node = request.app[_NODE]
    if not node.ready:
        return _error(503, "worker is not ready")
    batch_request = BatchRequest.from_json(decode_json(await request.read(), "batch request"))
    batch = await node.batch(batch_request)
    if batch is None:
        return web.Response(status=204)
    return web.json_response(batch.to_json())


async def _health(request: web.Request) -> web.Response:
    node = request.app[_NODE]
    if not (node.ready and node.accepting):
        reason = "worker is shutting down" if node.ready else "worker is not ready"
        return web.json_response({"ok": False, "error": reason}, status=503)
    return web.json_response({"ok": True, "enclave": node.enclave})


async def _status(request: web.Request) -> web.Response:
    return web.json_response(request.app[_NODE].status())


def create_app(node: WorkerNode) -> web.Application:
    """The aiohttp application serving ``node``."""
    app = web.Application(middlewares=[_errors], client_max_size=_MAX_BODY)
    app[_NODE] = node
    app.router.add_post("/v1/jobs", _deliver)
    app.router.add_get("/v1/jobs/{job_id}", _job)
    app.router.add_post("/v1/batches", _batch)
    app.router.add_get("/v1/health", _health)
    app.router.add_get("/v1/status", _status)
    return app
