"""A blob store behind a blob server's HTTP API (see :mod:`veritee.blobs.service`).

:class:`HttpBlobStore` talks to ``<base_url>/<hex>`` with a synchronous ``httpx.Client``, streaming
both ways: uploads are ``PUT``s to the digest, so the server checks the bytes before it stores
them; downloads are hashed and counted as they arrive and refused at the first byte past
``max_size``. The server is not trusted: whatever it returns is verified here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import httpx

from veritee.blobs.addressing import check_digest, sha256_hex
from veritee.blobs.store import DEFAULT_MAX_SIZE, BlobStore
from veritee.blobs.writer import COPY_CHUNK, BlobWriter
from veritee.exceptions import BlobError, BlobIntegrityError, BlobNotFound, BlobTooLarge

__all__ = ["HttpBlobStore"]

# Ask for the bytes as stored: a compressed body would be hashed only after decompression.
_HEADERS = {"Accept-Encoding": "identity"}


class HttpBlobStore(BlobStore):
    """The blob server at ``base_url`` (``http(s)://host:port/blobs``). Close it when done.

    ``transport`` replaces httpx's network transport (tests pass ``httpx.MockTransport``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        max_size: int = DEFAULT_MAX_SIZE,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise BlobError(f"not an http(s) blob store url: {base_url!r}")
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size}")
        self.base_url = base_url.rstrip("/")
        self.max_size = max_size
        self._client = httpx.Client(timeout=timeout, transport=transport, headers=_HEADERS)

    def put(self, data: bytes) -> str:
        if len(data) > self.max_size:
            raise BlobTooLarge(
                f"blob is {len(data)} bytes, above the limit of {self.max_size} bytes"
            )
        digest = sha256_hex(data)
        self._upload(digest, data, len(data))
        return digest

    def put_file(self, path: Path) -> str:
        # Hash first (the PUT names the digest), then stream; the server re-checks, so a file
        # that changes between the two passes is refused rather than stored under a wrong name.
        size = os.path.getsize(path)
        if size > self.max_size:
            raise BlobTooLarge(f"{path} is {size} bytes, above the limit of {self.max_size} bytes")
        with open(path, "rb") as source:
            digest = hashlib.file_digest(source, "sha256").hexdigest()
            source.seek(0)
            self._upload(digest, _chunks(source), size)
        return digest

    def get(self, digest: str) -> bytes:
        received = bytearray()
        hasher = hashlib.sha256()
        with self._download(digest) as chunks:
            for chunk in chunks:
                hasher.update(chunk)
                received += chunk
        if hasher.hexdigest() != digest:
            raise self._corrupt(digest, hasher.hexdigest())
        return bytes(received)

    def get_to_file(self, digest: str, path: Path) -> None:
        path = Path(path)
        with (
            self._download(digest) as chunks,
            BlobWriter(path.parent, max_size=self.max_size, expected=digest) as writer,
        ):
            for chunk in chunks:
                writer.write(chunk)
            try:
                writer.commit(path)
            except BlobIntegrityError:
                raise self._corrupt(digest, writer.digest) from None

    def has(self, digest: str) -> bool:
        url = self.uri(digest)
        response = self._request("HEAD", url)
        if response.status_code == 200:
            return True
        if response.status_code == 404:
            return False
        raise self._refused("HEAD", url, response)

    def close(self) -> None:
        self._client.close()

    def _request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | Iterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            return self._client.request(method, url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise BlobError(f"blob server {self.base_url} failed on {method}: {exc!r}") from exc

    def _upload(self, digest: str, content: bytes | Iterator[bytes], size: int) -> None:
        url = self.uri(digest)
        headers = {"Content-Length": str(size), "Content-Type": "application/octet-stream"}
        response = self._request("PUT", url, content=content, headers=headers)
        if response.status_code in (200, 201):
            return
        if response.status_code == 413:
            raise BlobTooLarge(
                f"blob server {self.base_url} refused {size} bytes as too large: "
                f"{_reason(response)}"
            )
        if response.status_code == 400:
            raise BlobIntegrityError(
                f"blob server {self.base_url} refused blob {digest}: {_reason(response)}"
            )
        raise self._refused("PUT", url, response)

    @contextmanager
    def _download(self, digest: str) -> Iterator[Iterator[bytes]]:
        """The blob's body as chunks, capped at ``max_size``; translates every failure."""
        url = self.uri(check_digest(digest))
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code == 404:
                    raise BlobNotFound(f"no blob {digest} at {self.base_url}")
                if response.status_code != 200:
                    response.read()
                    raise self._refused("GET", url, response)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_size:
                    raise BlobTooLarge(
                        f"blob {digest} is {declared} bytes, above the limit of "
                        f"{self.max_size} bytes"
                    )
                yield self._capped(digest, response.iter_bytes(COPY_CHUNK))
        except httpx.HTTPError as exc:
            raise BlobError(f"blob server {self.base_url} failed on GET {digest}: {exc!r}") from exc

    def _capped(self, digest: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
        total = 0
        for chunk in chunks:
            total += len(chunk)
            if total > self.max_size:
                raise BlobTooLarge(
                    f"blob {digest} from {self.base_url} is larger than the limit of "
                    f"{self.max_size} bytes"
                )
            yield chunk

    def _corrupt(self, digest: str, actual: str) -> BlobIntegrityError:
        return BlobIntegrityError(
            f"blob server {self.base_url} returned bytes for {digest} that hash to {actual}"
        )

    def _refused(self, method: str, url: str, response: httpx.Response) -> BlobError:
        return BlobError(
            f"blob server answered {method} {url} with HTTP {response.status_code}: "
            f"{_reason(response)}"
        )


def _reason(response: httpx.Response) -> str:
    """The server's ``{"error": reason}``, or the start of whatever body it sent."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return response.text[:200]


def _chunks(source: BinaryIO) -> Iterator[bytes]:
    while chunk := source.read(COPY_CHUNK):
        yield chunk
