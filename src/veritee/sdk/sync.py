""":class:`SyncClient`: the SDK client for synchronous code (scripts, the CLI, notebooks)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from veritee.blobs import BlobStore
from veritee.chain.clients import JobInfo, Network
from veritee.sdk.client import Client, JobRef, WorkerRef
from veritee.sdk.fees import FeeQuote
from veritee.sdk.options import ClientOptions
from veritee.sdk.records import JobProgress, SubmittedJob
from veritee.sdk.selection import WorkerCandidate
from veritee.sdk.verify import VerificationReport, VerifyOptions

__all__ = ["SyncClient"]

T = TypeVar("T")


class SyncClient:
    """:class:`~veritee.sdk.client.Client` for synchronous code: each call runs on a private
    event loop. Same arguments and methods, without ``await``; close it (or use ``with``)."""

    def __init__(
        self,
        network: Network,
        private_key: bytes,
        blobs: BlobStore,
        *,
        options: ClientOptions | None = None,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self.client = Client(
                network, private_key, blobs, options=options, http=http, transport=transport
            )
        except BaseException:
            self._loop.close()
            raise

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._loop.run_until_complete(coroutine)

    def workers(self, model_id: int) -> list[WorkerCandidate]:
        """See :meth:`Client.workers`."""
        return self._run(self.client.workers(model_id))

    def choose(self, model_id: int) -> WorkerCandidate:
        """See :meth:`Client.choose`."""
        return self._run(self.client.choose(model_id))

    def quote(
        self, model_id: int, capsule_ids: Sequence[int] = (), worker: WorkerRef | None = None
    ) -> FeeQuote:
        """See :meth:`Client.quote`."""
        return self._run(self.client.quote(model_id, capsule_ids, worker))

    def submit(
        self,
        model_id: int,
        document: Mapping[str, Any] | bytes,
        *,
        capsule_ids: Sequence[int] = (),
        worker: WorkerRef | None = None,
        max_fee: int | None = None,
        deadline_seconds: int = 600,
    ) -> SubmittedJob:
        """See :meth:`Client.submit`."""
        return self._run(
            self.client.submit(
                model_id,
                document,
                capsule_ids=capsule_ids,
                worker=worker,
                max_fee=max_fee,
                deadline_seconds=deadline_seconds,
            )
        )

    def wait(
        self,
        job_id: int,
        *,
        timeout: float | None = None,
        progress: Callable[[JobProgress], None] | None = None,
    ) -> JobInfo:
        """See :meth:`Client.wait`."""
        return self._run(self.client.wait(job_id, timeout=timeout, progress=progress))

    def result(self, job: JobRef) -> dict[str, Any]:
        """See :meth:`Client.result`."""
        return self._run(self.client.result(job))

    def verify(self, job_id: int, options: VerifyOptions | None = None) -> VerificationReport:
        """See :meth:`Client.verify`."""
        return self._run(self.client.verify(job_id, options))

    def close(self) -> None:
        """Close the client's connections and the loop. Safe to call twice."""
        if not self._loop.is_closed():
            self._run(self.client.aclose())
            self._loop.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
