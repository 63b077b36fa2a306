"""The requester's client: pick a worker, price a job, submit it sealed, wait, read, verify.

:class:`Client` is async (its HTTP, to ask workers for their load, goes through an injectable
``httpx.AsyncClient``); chain reads and transactions go through the given
:class:`~veritee.chain.clients.Network`, whose sender must be the requester; they block, so
they run in worker threads (``asyncio.to_thread``) and never stall the event loop.
:class:`~veritee.sdk.sync.SyncClient` wraps it for synchronous code.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
from eth_utils import to_checksum_address

from veritee.blobs import BlobStore
from veritee.chain.clients import JobInfo, JobRequest, Network
from veritee.chain.types import CapsuleId, JobId, JobStatus, ModelId, ModelStatus
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.typed_data import address_of
from veritee.exceptions import BlobIntegrityError, ConfigError, ContractRevert, JobError, JobTimeout
from veritee.models.tasks import encode_document
from veritee.protocol import seal_input
from veritee.sdk.discovery import discover_workers, worker_terms
from veritee.sdk.fees import CapsuleFee, FeeQuote, format_amount
from veritee.sdk.options import ClientOptions
from veritee.sdk.records import JobProgress, SubmittedJob
from veritee.sdk.results import read_result
from veritee.sdk.selection import WorkerCandidate, choose_worker
from veritee.sdk.verify import VerificationReport, VerifyOptions, verify_job

__all__ = ["Client", "JobRef", "WorkerRef"]

#: A worker given by enclave address or as a candidate from :meth:`Client.workers`.
WorkerRef = str | WorkerCandidate
#: A job whose result to read: the submitted job, or its id and result keys.
JobRef = SubmittedJob | tuple[int, X25519KeyPair]


class Client:
    """Submits and follows jobs as the requester of ``network`` (its sender).

    ``private_key`` is the requester's secp256k1 key, used to sign EIP-2612 permits for the
    escrow; ``blobs`` stores job inputs (and holds workers' quotes for :meth:`verify`). The
    HTTP client that asks workers for their load is made here, over ``transport`` if given
    (``httpx.MockTransport`` in tests), and closed by :meth:`aclose`; an ``http`` client passed
    in instead stays the caller's to close.
    """

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
        if http is not None and transport is not None:
            raise ConfigError("pass an http client or a transport, not both")
        if network.sender is None:
            raise ConfigError("the SDK needs a Network that sends as the requester")
        if address_of(private_key) != network.sender.address:
            raise ConfigError("the private key is not the key of the Network's sending account")
        self.network = network
        self.blobs = blobs
        self.options = options or ClientOptions()
        self.requester = network.sender.address
        self.chain_id = network.deployment.chain_id
        self._key = private_key
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            transport=transport, timeout=self.options.status_timeout
        )

    async def aclose(self) -> None:
        """Closes the HTTP client if this client made it. Safe to call twice."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _chain_time(self) -> int:
        return int(self.network.w3.eth.get_block("latest")["timestamp"])

    async def workers(self, model_id: int) -> list[WorkerCandidate]:
        """Certified, active workers serving ``model_id``, with their load (see ``discovery``)."""
        http = self._http if self.options.load_lookup else None
        return await discover_workers(self.network, http, ModelId(model_id))

    async def choose(self, model_id: int) -> WorkerCandidate:
        """The worker :func:`~veritee.sdk.selection.choose_worker` picks for ``model_id``."""
        return choose_worker(await self.workers(model_id), model_id=model_id)

    async def quote(
        self, model_id: int, capsule_ids: Sequence[int] = (), worker: WorkerRef | None = None
    ) -> FeeQuote:
        """The exact price of a job, read at one block and computed as the contract does."""
        enclave = await self._enclave(model_id, worker)
        return await asyncio.to_thread(self._quote, model_id, capsule_ids, enclave)

    def _quote(self, model_id: int, capsule_ids: Sequence[int], enclave: str) -> FeeQuote:
        net = self.network.at_block(int(self.network.w3.eth.block_number))
        model = net.models.model(ModelId(model_id))
        if model.status is not ModelStatus.VERIFIED:
            raise JobError(
                f"model {model_id} is {model.status.name.lower()}, not verified: it cannot run"
            )
        capsules = []
        for capsule_id in capsule_ids:
            capsule = net.capsules.capsule(CapsuleId(capsule_id))
            capsules.append(CapsuleFee(int(capsule_id), capsule.owner, int(capsule.price)))
        operator, price = worker_terms(net.workers, enclave)
        return FeeQuote.compute(
            model_id=model_id,
            model_owner=model.owner,
            model_fee=int(model.price),
            capsules=capsules,
            worker=enclave,
            operator=operator,
            worker_fee=price,
            treasury=net.jobs.treasury(),
            protocol_fee_bps=net.jobs.protocol_fee_bps(),
        )

    async def _enclave(self, model_id: int, worker: WorkerRef | None) -> str:
        if worker is None:
            return (await self.choose(model_id)).enclave
        enclave = worker.enclave if isinstance(worker, WorkerCandidate) else worker
        return to_checksum_address(enclave)

    def _eligible_key(self, enclave: str, model_id: int, fresh: bytes | None = None) -> bytes:
        """The worker's on-chain X25519 key, once the contract says it can take the job.

        ``fresh`` is the key as just read by discovery; otherwise it is read now (a candidate
        kept from earlier may predate a renewal that changed it).
        """
        try:
            self.network.workers.check_eligible(enclave, ModelId(model_id))
        except ContractRevert as exc:
            raise JobError(
                f"worker {enclave} cannot take a job for model {model_id}: {exc.reason}"
            ) from exc
        key = fresh if fresh is not None else self.network.workers.worker(enclave).x25519_key
        if len(key) != 32:
            raise JobError(f"worker {enclave} announced no X25519 key")
        return key

    async def submit(
        self,
        model_id: int,
        document: Mapping[str, Any] | bytes,
        *,
        capsule_ids: Sequence[int] = (),
        worker: WorkerRef | None = None,
        max_fee: int | None = None,
        deadline_seconds: int = 600,
    ) -> SubmittedJob:
        """Seals ``document`` to a worker, stores it, and submits the job with a permit.

        ``document`` is a job document (encoded as canonical JSON) or its encoding already;
        ``max_fee`` defaults to the exact price; the deadline is ``deadline_seconds`` after the
        chain's latest block. A fresh X25519 key pair per job receives the result.
        """
        if deadline_seconds <= 0:
            raise JobError("deadline_seconds must be positive")
        if worker is None:
            chosen = await self.choose(model_id)
            enclave = chosen.enclave
            fresh: bytes | None = chosen.x25519_key
        else:
            enclave, fresh = await self._enclave(model_id, worker), None
        worker_key = await asyncio.to_thread(self._eligible_key, enclave, model_id, fresh)
        fee = await self.quote(model_id, capsule_ids, enclave)
        escrow = fee.total if max_fee is None else max_fee
        if escrow < fee.total:
            raise JobError(
                f"max_fee {format_amount(escrow)} is below the job's price of "
                f"{format_amount(fee.total)}"
            )
        plaintext = encode_document(document) if isinstance(document, Mapping) else bytes(document)
        # Sealing, storing and the transactions block: they run off the event loop.
        return await asyncio.to_thread(
            self._submit,
            model_id,
            plaintext,
            capsule_ids,
            enclave,
            worker_key,
            fee,
            escrow,
            deadline_seconds,
        )

    def _submit(
        self,
        model_id: int,
        plaintext: bytes,
        capsule_ids: Sequence[int],
        enclave: str,
        worker_key: bytes,
        fee: FeeQuote,
        escrow: int,
        deadline_seconds: int,
    ) -> SubmittedJob:
        keys = X25519KeyPair.generate()
        jobs = self.network.jobs
        envelope = seal_input(
            worker_key, plaintext, chain_id=self.chain_id, jobs=jobs.address, worker=enclave
        )
        digest = self.blobs.put(envelope)
        input_hash = hashlib.sha256(envelope).digest()
        if digest != input_hash.hex():
            raise BlobIntegrityError(f"the blob store filed the input under {digest}, not its hash")
        deadline = self._chain_time() + deadline_seconds
        request = JobRequest(
            worker=enclave,
            model_id=ModelId(model_id),
            input_hash=input_hash,
            input_uri=self.blobs.uri(digest),
            result_key=keys.public_bytes(),
            max_fee=escrow,
            deadline=deadline,
            capsule_ids=tuple(CapsuleId(c) for c in capsule_ids),
        )
        permit = self.network.token.sign_permit(
            self._key, self.requester, jobs.address, escrow, deadline
        )
        job_id = jobs.submit_with_permit(request, permit)
        return SubmittedJob(
            job_id, enclave, keys, input_hash, request.input_uri, fee, escrow, deadline
        )

    async def wait(
        self,
        job_id: int,
        *,
        timeout: float | None = None,
        progress: Callable[[JobProgress], None] | None = None,
    ) -> JobInfo:
        """Polls job ``job_id`` until it is settled, failed or expired; returns its record.

        ``progress`` sees every observation. Raises :class:`JobTimeout` after ``timeout``
        seconds, or (without one) once the job is past its on-chain deadline still pending.
        """
        clock, jobs = self.options.clock, self.network.jobs
        start = clock()
        while True:
            status = await asyncio.to_thread(jobs.status, JobId(job_id))
            if status is JobStatus.UNKNOWN:
                raise JobError(f"job {job_id} does not exist on this chain")
            elapsed = clock() - start
            final = status is not JobStatus.PENDING
            if progress is not None:
                progress(JobProgress(job_id, status, elapsed, final))
            if final:
                return await asyncio.to_thread(jobs.job, JobId(job_id))
            pause = self.options.poll_interval
            if timeout is not None:
                if elapsed >= timeout:
                    raise JobTimeout(f"job {job_id} is still pending after {elapsed:.1f} s")
                pause = min(pause, timeout - elapsed)
            else:
                deadline = (await asyncio.to_thread(jobs.job, JobId(job_id))).deadline
                if await asyncio.to_thread(self._chain_time) > deadline:
                    raise JobTimeout(
                        f"job {job_id} passed its deadline ({deadline}) without a result: "
                        "anyone may now expire it for a full refund"
                    )
            await self.options.sleep(pause)

    async def result(self, job: JobRef) -> dict[str, Any]:
        """The decrypted result document; see :func:`~veritee.sdk.results.read_result`."""
        job_id, keys = (job.job_id, job.keys) if isinstance(job, SubmittedJob) else job
        return await asyncio.to_thread(read_result, self.network, job_id, keys)

    async def verify(self, job_id: int, options: VerifyOptions | None = None) -> VerificationReport:
        """Checks every link of the job's chain of evidence (see :mod:`veritee.sdk.verify`)."""
        return await asyncio.to_thread(verify_job, self.network, self.blobs, job_id, options)
