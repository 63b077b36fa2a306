"""The blob server's HTTP API over a :class:`~veritee.blobs.local.LocalBlobStore`.

Routes (errors are ``{"error": "<reason>"}`` with a 4xx status)::

    PUT  /blobs/{hex}   store the body, which must hash to {hex}: 201 (200 if already held)
                        {"digest", "size"}; 400 if it does not, 413 over the size limit
    POST /blobs         store the body under its own hash: 201 {"digest", "size"}
    GET  /blobs/{hex}   the bytes (streamed), 404 if absent
    HEAD /blobs/{hex}   200 or 404, with Content-Length
    GET  /health        {"ok": true}

A malformed digest is 400 with the reason. Bodies are streamed to a temporary file while they
are hashed and counted; nothing is stored unless every byte arrived and the hash matches. The
server does not re-hash what it serves: clients verify (the store is untrusted by design).
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from veritee.blobs.addressing import check_digest
from veritee.blobs.local import LocalBlobStore
from veritee.blobs.writer import COPY_CHUNK
from veritee.exceptions import BlobError, BlobIntegrityError, BlobTooLarge

__all__ = ["STORE_KEY", "create_app"]

STORE_KEY = web.AppKey("blob_store", LocalBlobStore)


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def _digest(request: web.Request) -> str:
    try:
        return check_digest(request.match_info["digest"])
    except BlobError as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": str(exc)}), content_type="application/json"
        ) from None


async def _receive(request: web.Request, expected: str | None) -> web.Response:
    """Stream the body into the store; the digest comes from the body's own hash."""
    store = request.app[STORE_KEY]
    declared = request.content_length
    if declared is not None and declared > store.max_size:
        return _error(413, f"blob is {declared} bytes, above the limit of {store.max_size} bytes")
    with store.writer(expected=expected) as writer:
        try:
            async for chunk in request.content.iter_chunked(COPY_CHUNK):
                writer.write(chunk)
        except BlobTooLarge as exc:
            return _error(413, str(exc))
        target = store.path(writer.digest)
        existed = target.is_file()
        try:
            digest = await asyncio.to_thread(writer.commit, target)
        except BlobIntegrityError as exc:
            return _error(400, str(exc))
    return web.json_response(
        {"digest": digest, "size": writer.size}, status=200 if existed else 201
    )


async def put_blob(request: web.Request) -> web.Response:
    """``PUT /blobs/{hex}``: store a body that must hash to ``hex``."""
    return await _receive(request, _digest(request))


async def post_blob(request: web.Request) -> web.Response:
    """``POST /blobs``: store a body under its own hash."""
    return await _receive(request, None)


async def get_blob(request: web.Request) -> web.StreamResponse:
    """``GET``/``HEAD /blobs/{hex}``: the blob's bytes, streamed from disk."""
    digest = _digest(request)
    path = request.app[STORE_KEY].path(digest)
    if not path.is_file():
        return _error(404, f"no blob {digest}")
    return web.FileResponse(
        path,
        chunk_size=COPY_CHUNK,
        headers={
            "Content-Type": "application/octet-stream",
            # A blob's bytes never change under its address.
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )


async def health(request: web.Request) -> web.Response:
    """``GET /health``."""
    return web.json_response({"ok": True})


def create_app(store: LocalBlobStore) -> web.Application:
    """The aiohttp application serving ``store`` under ``/blobs``."""
    app = web.Application()
    app[STORE_KEY] = store
    app.router.add_put("/blobs/{digest}", put_blob)
    app.router.add_post("/blobs", post_blob)
    app.router.add_get("/blobs/{digest}", get_blob)  # HEAD included
    app.router.add_get("/health", health)
    return app
