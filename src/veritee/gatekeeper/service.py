"""The gatekeeper's HTTP API (aiohttp) over a :class:`~veritee.gatekeeper.node.GatekeeperNode`.

Routes (JSON bodies, bytes as 0x-hex)::

    GET  /v1/health            liveness and whether a key share is active
    GET  /v1/info              index, address, public share, t, n, key published?
    POST /v1/certify           a worker's quote -> a signed certificate
    POST /v1/capsule-share     signed {job_id, capsule_id, worker} -> sealed decryption share
    POST /v1/named-key-share   signed {name, worker} -> sealed named-key share
    POST /v1/dkg/{start,deals,complaints,reveals,finalize,sign-key}   the relayed DKG steps
    POST /v1/reshare/{start,deals,complaints,reveals,finalize,sign-key}   the relayed resharing

Errors are ``{"error": category, "reason": phrase, "detail": message}`` with status 400
(malformed or oversized), 401 (bad signature, replay), 403 (policy or attestation denial),
409 (ceremony step refused), 429 (rate limited), 503 (no key yet, chain unreachable). Blocking
work (chain reads, signing) runs in a thread pool so the event loop keeps serving. A
capsule-share request whose chain facts are all cached
(:meth:`GatekeeperNode.capsule_share_is_cached`) is answered on the loop itself: what is left is
a fraction of a millisecond of CPU, which a thread would not run alongside the loop anyway (one
interpreter lock), and the audit record's fsync, so the hop to a thread and back would only add
latency. The loop does wait out that fsync (the audit log orders its records, one fsync after
another, either way); requests that may wait on the chain keep the pool.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

from veritee.crypto.threshold import KeyShare
from veritee.exceptions import (
    AccessDenied,
    CeremonyError,
    ChainError,
    GatekeeperError,
    KeyNotReady,
    MalformedRequest,
    RateLimited,
    SignatureError,
    VeriteeError,
)
from veritee.gatekeeper.certificates import CertifyRequest
from veritee.gatekeeper.dkg_messages import SignedDkgMessage
from veritee.gatekeeper.node import GatekeeperNode
from veritee.gatekeeper.wire import json_object, request_from_headers

__all__ = ["create_app"]

_log = logging.getLogger("veritee.gatekeeper")
_MAX_MESSAGES = 4096
T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_STATUS: list[tuple[type[Exception], int, str]] = [
    (MalformedRequest, 400, "malformed request"),
    (SignatureError, 401, "unauthenticated"),
    (AccessDenied, 403, "denied"),
    (CeremonyError, 409, "ceremony step refused"),
    (RateLimited, 429, "rate limited"),
    (KeyNotReady, 503, "not ready"),
    (ChainError, 503, "chain unavailable"),
]


def _error(status: int, error: str, reason: str, detail: str | None = None) -> web.Response:
    body = {"error": error, "reason": reason, "detail": detail or reason}
    return web.json_response(body, status=status)


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return _error(400, "malformed request", "body too large")
    except web.HTTPException as exc:
        return _error(exc.status, exc.reason.lower(), exc.reason)
    except VeriteeError as exc:
        for kind, status, error in _STATUS:
            if isinstance(exc, kind):
                reason = exc.reason if isinstance(exc, GatekeeperError) else str(exc)
                return _error(status, error, reason, str(exc))
        _log.exception("unexpected error in %s", request.path)
        return _error(500, "internal error", type(exc).__name__)


async def _blocking(function: Callable[..., T], *args: Any) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(function, *args))


async def _body(request: web.Request) -> bytes:
    return await request.read()


def _messages(obj: dict[str, Any], name: str) -> list[SignedDkgMessage]:
    value = obj.get(name)
    if not isinstance(value, list) or len(value) > _MAX_MESSAGES:
        raise MalformedRequest(f"field {name} must be a list of DKG messages")
    try:
        return [SignedDkgMessage.from_json(item) for item in value]
    except ValueError as exc:
        raise MalformedRequest(f"field {name}: {exc}") from exc


def _dump(messages: list[SignedDkgMessage]) -> list[dict[str, Any]]:
    return [message.to_json() for message in messages]


def _maybe(message: SignedDkgMessage | None) -> dict[str, Any] | None:
    return None if message is None else message.to_json()


def _shares(share: KeyShare) -> dict[str, Any]:
    shares = [share.public_shares[j] for j in range(1, share.n + 1)]
    return {
        "index": share.index,
        "public_key": "0x" + share.public_key.compressed.hex(),
        "public_shares": ["0x" + point.compressed.hex() for point in shares],
    }


class _Routes:
    """The handlers, bound to one node."""

    def __init__(self, node: GatekeeperNode) -> None:
        self.node = node

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "index": self.node.index})

    async def info(self, request: web.Request) -> web.Response:
        return web.json_response(await _blocking(self.node.info))

    async def certify(self, request: web.Request) -> web.Response:
        certify_request = CertifyRequest.from_json(json_object(await _body(request)))
        grant = await _blocking(self.node.certify, certify_request)
        return web.json_response(grant.to_json())

    async def capsule_share(self, request: web.Request) -> web.Response:
        body = await _body(request)
        signed = request_from_headers(request.headers, body)
        if self.node.capsule_share_is_cached(body):
            grant = self.node.capsule_share(signed, body)
        else:
            grant = await _blocking(self.node.capsule_share, signed, body)
        return web.json_response(grant.to_json())

    async def named_key_share(self, request: web.Request) -> web.Response:
        body = await _body(request)
        signed = request_from_headers(request.headers, body)
        grant = await _blocking(self.node.named_key_share, signed, body)
        return web.json_response(grant.to_json())

    async def dkg_start(self, request: web.Request) -> web.Response:
        announcement = await _blocking(self.node.dkg_start)
        return web.json_response({"announcement": announcement.to_json()})

    async def dkg_deals(self, request: web.Request) -> web.Response:
        announcements = _messages(json_object(await _body(request)), "announcements")
        deal = await _blocking(self.node.dkg_deal, announcements)
        return web.json_response({"deal": deal.to_json()})

    async def dkg_complaints(self, request: web.Request) -> web.Response:
        deals = _messages(json_object(await _body(request)), "deals")
        complaints, view = await _blocking(self.node.dkg_complaints, deals)
        return web.json_response({"complaints": _dump(complaints), "view": view.to_json()})

    async def dkg_reveals(self, request: web.Request) -> web.Response:
        obj = json_object(await _body(request))
        complaints, views = _messages(obj, "complaints"), _messages(obj, "views")
        reveals, view = await _blocking(self.node.dkg_reveals, complaints, views)
        return web.json_response({"reveals": _dump(reveals), "view": view.to_json()})

    async def dkg_finalize(self, request: web.Request) -> web.Response:
        obj = json_object(await _body(request))
        reveals, views = _messages(obj, "reveals"), _messages(obj, "views")
        share = await _blocking(self.node.dkg_finalize, reveals, views)
        return web.json_response(_shares(share))

    async def dkg_sign_key(self, request: web.Request) -> web.Response:
        signature = await _blocking(self.node.sign_network_key)
        return web.json_response(signature.to_json())

    async def reshare_start(self, request: web.Request) -> web.Response:
        return web.json_response((await _blocking(self.node.reshare_start)).to_json())

    async def reshare_deals(self, request: web.Request) -> web.Response:
        announcements = _messages(json_object(await _body(request)), "announcements")
        deal = await _blocking(self.node.reshare_deal, announcements)
        return web.json_response({"deal": _maybe(deal)})

    async def reshare_complaints(self, request: web.Request) -> web.Response:
        deals = _messages(json_object(await _body(request)), "deals")
        complaints, view = await _blocking(self.node.reshare_complaints, deals)
        return web.json_response({"complaints": _dump(complaints), "view": view.to_json()})

    async def reshare_reveals(self, request: web.Request) -> web.Response:
        obj = json_object(await _body(request))
        complaints, views = _messages(obj, "complaints"), _messages(obj, "views")
        reveals, view = await _blocking(self.node.reshare_reveals, complaints, views)
        return web.json_response({"reveals": _dump(reveals), "view": _maybe(view)})

    async def reshare_finalize(self, request: web.Request) -> web.Response:
        obj = json_object(await _body(request))
        reveals, views = _messages(obj, "reveals"), _messages(obj, "views")
        share, dealers = await _blocking(self.node.reshare_finalize, reveals, views)
        return web.json_response({**_shares(share), "dealers": sorted(dealers)})

    async def reshare_sign_key(self, request: web.Request) -> web.Response:
        signature = await _blocking(self.node.reshare_sign_key)
        return web.json_response(signature.to_json())


def create_app(node: GatekeeperNode) -> web.Application:
    """The aiohttp application serving ``node``; bodies above ``max_body_bytes`` are refused."""
    app = web.Application(client_max_size=node.config.max_body_bytes, middlewares=[_errors])
    routes = _Routes(node)
    app.add_routes(
        [
            web.get("/v1/health", routes.health),
            web.get("/v1/info", routes.info),
            web.post("/v1/certify", routes.certify),
            web.post("/v1/capsule-share", routes.capsule_share),
            web.post("/v1/named-key-share", routes.named_key_share),
            web.post("/v1/dkg/start", routes.dkg_start),
            web.post("/v1/dkg/deals", routes.dkg_deals),
            web.post("/v1/dkg/complaints", routes.dkg_complaints),
            web.post("/v1/dkg/reveals", routes.dkg_reveals),
            web.post("/v1/dkg/finalize", routes.dkg_finalize),
            web.post("/v1/dkg/sign-key", routes.dkg_sign_key),
            web.post("/v1/reshare/start", routes.reshare_start),
            web.post("/v1/reshare/deals", routes.reshare_deals),
            web.post("/v1/reshare/complaints", routes.reshare_complaints),
            web.post("/v1/reshare/reveals", routes.reshare_reveals),
            web.post("/v1/reshare/finalize", routes.reshare_finalize),
            web.post("/v1/reshare/sign-key", routes.reshare_sign_key),
        ]
    )
    return app
