"""One job's pipeline inside the enclave: input, model, capsules, inference, sealed result.

:class:`JobPipeline` runs a job that the chain confirmed (the delivery was checked against it):

1. **input**: fetch the input envelope (its hash must be the on-chain ``input_hash``), open it
   with the enclave's X25519 key under the job-input context, parse the task;
2. **model**: read the model from the registry and load its artifact from the registry's URI,
   refusing bytes that do not hash to the registered SHA-256 (:class:`ModelCache`);
3. **capsules**: fetch each capsule (hash = on-chain ``ciphertext_sha256``) and check that its
   header is bound to the on-chain ``R``, this chain and this Capsules contract;
4. **key release**: the data keys from ``t`` gatekeepers, then open each capsule;
5. **inference**: run the task;
6. **encrypt/store**: seal the result document to the on-chain ``result_key`` under the
   job-result context and put the envelope in the blob store.

A failure in phases 1-5 gives a failure document with its code instead (:mod:`.phases`), sealed
and stored the same way. Only what is not the job's fault raises (the envelope could not be
stored: :class:`ResultNotStored`; the chain could not be read): the node runs the job again.
Blocking work (blob I/O, chain reads, decryption, the model) runs through ``offload`` on a
thread pool.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from eth_utils import to_canonical_address

from veritee.blobs import BlobStore, fetch, parse_blob_uri
from veritee.capsule import open_bytes, read_header
from veritee.chain.clients import CapsuleInfo, ModelInfo, Network
from veritee.chain.types import CapsuleId, ModelId
from veritee.crypto.secp256k1 import Point
from veritee.crypto.typed_data import JobResult
from veritee.exceptions import (
    BlobError,
    BlobIntegrityError,
    CapsuleFormatError,
    ChainError,
    CryptoError,
    JobError,
)
from veritee.models import ModelCache
from veritee.models.tasks import (
    FailureCode,
    encode_document,
    failure_document,
    parse_request,
    run_task,
)
from veritee.protocol import JobDelivery, open_input, seal_result
from veritee.worker.enclave import EnclaveIdentity
from veritee.worker.phases import Phase, failure_for

__all__ = [
    "BlobAccess",
    "ChainReader",
    "JobOutcome",
    "JobPipeline",
    "RegistryReader",
    "ResultNotStored",
]

_UNSEALABLE = "result_key is not a key a result can be sealed to"
Offload = Callable[..., Awaitable[Any]]
KeySource = Callable[[int, int, Point], Awaitable[bytes]]


class ResultNotStored(JobError):
    """The result envelope could not be stored; the job should run again later."""


class ChainReader(Protocol):
    """The registry reads a job needs (the Models and Capsules clients provide them)."""

    def model(self, model_id: int) -> ModelInfo: ...

    def capsule(self, capsule_id: int) -> CapsuleInfo: ...


class BlobAccess:
    """Reads blobs by URI and hash, writes to the worker's own store.

    A URI that names the worker's store is read through it (one connection pool); any other is
    fetched by :func:`veritee.blobs.fetch`, only with one of ``schemes`` (no ``file`` by
    default: a URI from the chain must not make the worker read the host's files). Either way
    the URI must name the expected hash and the bytes must hash to it.
    """

    def __init__(
        self, store: BlobStore, max_size: int, schemes: Collection[str] = ("https", "http")
    ) -> None:
        self.store = store
        self.max_size = max_size
        self.schemes = tuple(schemes)

    def get(self, uri: str, expected: bytes) -> bytes:
        base, digest = parse_blob_uri(uri)
        if base.rstrip("/") != self.store.base_url.rstrip("/"):
            return fetch(uri, expected=expected, max_size=self.max_size, schemes=self.schemes)
        if not hmac.compare_digest(digest, expected.hex()):
            raise BlobIntegrityError(
                f"blob uri names digest {digest}, not the expected {expected.hex()}"
            )
        return self.store.get(digest)

    def put(self, data: bytes) -> str:
        """Stores ``data``; returns its URI."""
        return self.store.uri(self.store.put(data))


class RegistryReader:
    """The registry reads of :class:`ChainReader`, from a :class:`~veritee.chain.Network`."""

    def __init__(self, network: Network) -> None:
        self._network = network

    def model(self, model_id: int) -> ModelInfo:
        return self._network.models.model(ModelId(model_id))

    def capsule(self, capsule_id: int) -> CapsuleInfo:
        return self._network.capsules.capsule(CapsuleId(capsule_id))


@dataclass(frozen=True)
class JobOutcome:
    """A finished job: the result to sign, why it failed (if it did), and phase timings."""

    result: JobResult
    reason: str | None
    timings_ms: dict[str, float] = field(default_factory=dict)


@contextmanager
def _timed(timings: dict[str, float], phase: Phase) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[phase.value] = round((time.perf_counter() - start) * 1000, 3)


class JobPipeline:
    """Runs jobs for the enclave ``identity`` on chain ``chain_id`` (see the module docstring).

    ``jobs`` and ``capsules`` are the contract addresses the envelopes and capsules are bound
    to; ``keys(job_id, capsule_id, R)`` returns a capsule's data key from the gatekeepers;
    ``offload(fn, *args)`` runs blocking work off the event loop.
    """

    def __init__(
        self,
        *,
        identity: EnclaveIdentity,
        chain_id: int,
        jobs: str,
        capsules: str,
        blobs: BlobAccess,
        models: ModelCache,
        chain: ChainReader,
        keys: KeySource,
        offload: Offload,
    ) -> None:
        self.identity = identity
        self.chain_id = chain_id
        self.jobs = jobs
        self.capsules = capsules
        self.blobs = blobs
        self.models = models
        self.chain = chain
        self.keys = keys
        self.offload = offload

    async def run(self, delivery: JobDelivery) -> JobOutcome:
        """Run one job to a result.

        Raises only for what is not the job's fault: :class:`ResultNotStored`, and
        :class:`ChainError` when a registry could not be read.
        """
        timings: dict[str, float] = {}
        total = time.perf_counter()
        phase = Phase.INPUT
        try:
            with _timed(timings, Phase.INPUT):
                envelope = await self.offload(
                    self.blobs.get, delivery.input_uri, delivery.input_hash
                )
                plaintext = await self.offload(self._open_input, envelope)
                request = parse_request(plaintext)
            phase = Phase.MODEL
            with _timed(timings, Phase.MODEL):
                model = await self.offload(self._load_model, delivery.model_id)
            phase = Phase.CAPSULES
            datasets = await self._capsules(delivery, timings)
            phase = Phase.INFERENCE
            with _timed(timings, Phase.INFERENCE):
                document = await self.offload(
                    partial(run_task, request, model, datasets, job_id=delivery.job_id)
                )
                plaintext = encode_document(document)
            status, reason = 0, None
        except (asyncio.CancelledError, ChainError):
            raise  # not the job's fault: the node runs it again
        except Exception as exc:
            code, reason = failure_for(phase, exc)
            status = int(code)
            plaintext = encode_document(failure_document(delivery.job_id, status, reason))
        with _timed(timings, Phase.ENCRYPT_STORE):
            result = await self._seal_and_store(delivery, plaintext, status)
        timings["total"] = round((time.perf_counter() - total) * 1000, 3)
        if result.status != status:
            reason = _UNSEALABLE
        return JobOutcome(result, reason, timings)

    def _open_input(self, envelope: bytes) -> bytes:
        return open_input(
            self.identity.x25519,
            envelope,
            chain_id=self.chain_id,
            jobs=self.jobs,
            worker=self.identity.address,
        )

    def _load_model(self, model_id: int) -> Any:
        info = self.chain.model(model_id)
        return self.models.get_or_load(
            info.artifact_sha256,
            info.format,
            partial(self.blobs.get, info.uri, info.artifact_sha256),
        )

    async def _capsules(self, delivery: JobDelivery, timings: dict[str, float]) -> list[bytes]:
        """Every capsule of the job, opened, in the job's order."""
        if not delivery.capsule_ids:
            return []
        with _timed(timings, Phase.CAPSULES):
            fetched = await asyncio.gather(
                *(self.offload(self._fetch_capsule, c) for c in delivery.capsule_ids)
            )
        with _timed(timings, Phase.KEY_RELEASE):
            keys = await asyncio.gather(
                *(
                    self.keys(delivery.job_id, c, r)
                    for c, (r, _) in zip(delivery.capsule_ids, fetched, strict=True)
                )
            )
            opened: Sequence[bytes] = await asyncio.gather(
                *(
                    self.offload(open_bytes, data, key)
                    for (_, data), key in zip(fetched, keys, strict=True)
                )
            )
        return list(opened)

    def _fetch_capsule(self, capsule_id: int) -> tuple[Point, bytes]:
        """A capsule's bytes, checked against its on-chain hash, R, chain and contract."""
        info = self.chain.capsule(capsule_id)
        if info.ciphertext_sha256 == bytes(32):
            raise BlobError(f"capsule {capsule_id} does not exist on-chain")
        data = self.blobs.get(info.uri, info.ciphertext_sha256)
        header = read_header(data)
        if header.r != Point.from_xy(*info.r):
            raise CapsuleFormatError(f"capsule {capsule_id}: its header R is not the on-chain R")
        if header.chain_id != self.chain_id:
            raise CapsuleFormatError(f"capsule {capsule_id} is sealed for chain {header.chain_id}")
        if to_canonical_address(header.contract) != to_canonical_address(self.capsules):
            raise CapsuleFormatError(
                f"capsule {capsule_id} is sealed for another Capsules contract"
            )
        return header.r, data

    async def _seal_and_store(
        self, delivery: JobDelivery, plaintext: bytes, status: int
    ) -> JobResult:
        """Seal ``plaintext`` to the requester and store it; the result to sign."""
        try:
            envelope = await self.offload(
                partial(
                    seal_result,
                    delivery.result_key,
                    plaintext,
                    chain_id=self.chain_id,
                    jobs=self.jobs,
                    job_id=delivery.job_id,
                )
            )
        except (CryptoError, ValueError):
            # A result_key no envelope can be sealed to (a low-order point): nothing can reach
            # the requester, so the job settles as failed with no result blob.
            return JobResult(delivery.job_id, bytes(32), "", int(FailureCode.INPUT_UNREADABLE))
        try:
            uri = await self.offload(self.blobs.put, envelope)
        except BlobError as exc:
            raise ResultNotStored(f"job {delivery.job_id}: result not stored: {exc}") from exc
        return JobResult(delivery.job_id, hashlib.sha256(envelope).digest(), uri, status)
