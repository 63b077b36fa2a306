"""A worker without HTTP: boot, job intake and execution, batches, sealed state, shutdown.

:class:`WorkerNode` lives on one asyncio event loop (the server's); blocking work (chain calls,
blob I/O, decryption, models) runs on its thread pool through :meth:`WorkerNode.offload`.

Boot (:meth:`WorkerNode.start`): connect to the chain as the operator; generate a fresh enclave
identity, get it certified by ``t`` gatekeepers (the quote goes to the blob store) and derive the
sealing key ``seal:<measurement>`` with that certificate; if the data directory holds sealed
state, resume *that* identity (re-attest and certify it, renew it on-chain, re-announce a changed
endpoint) with its unsettled jobs; otherwise seal the fresh identity first, then register it
with its bond. Then run queued jobs, renew the certificate before it expires and track
settlement in the background.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from veritee.blobs import BlobStore, open_store
from veritee.chain.clients import Network
from veritee.chain.sender import TransactionSender
from veritee.chain.types import TeeKind
from veritee.exceptions import JobError
from veritee.gatekeeper.client import GatekeeperClient
from veritee.gatekeeper.outcomes import CertificateBundle
from veritee.models import ModelCache
from veritee.protocol import BatchRequest, JobDelivery, SignedBatch
from veritee.worker.boot import establish_identity
from veritee.worker.certification import Certification
from veritee.worker.config import WorkerConfig
from veritee.worker.enclave import EnclaveIdentity
from veritee.worker.executor import BlobAccess, JobPipeline, RegistryReader
from veritee.worker.jobs import JobDesk
from veritee.worker.registration import apply_registration, plan_registration
from veritee.worker.results import JobRecord, ResultBook
from veritee.worker.settlement import Settlement
from veritee.worker.state import STATE_FILE, SealedStateFile, WorkerState

__all__ = ["WorkerNode"]

_log = logging.getLogger(__name__)
T = TypeVar("T")


class WorkerNode:
    """One worker (one enclave). Create it anywhere; call :meth:`start` on its event loop."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.book = ResultBook(config.settled_retention)
        self.url = ""
        self.ready = False
        self.accepting = False
        self.identity: EnclaveIdentity | None = None
        self.bundle: CertificateBundle | None = None
        self._pool = ThreadPoolExecutor(
            max_workers=config.max_concurrent * 2 + 4, thread_name_prefix="veritee-worker"
        )
        self._network: Network | None = None
        self._store: BlobStore | None = None
        self._gatekeepers: GatekeeperClient | None = None
        self._state_file: SealedStateFile | None = None
        self._desk: JobDesk | None = None
        self._settlement: Settlement | None = None
        self._certification: Certification | None = None
        self._background: list[asyncio.Task[None]] = []
        self._save_lock = asyncio.Lock()
        self._changes = 0
        self._saved = 0

    # -- plumbing ---------------------------------------------------------------------------

    async def offload(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking ``fn(*args, **kwargs)`` on the worker's thread pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args, **kwargs))

    @property
    def network(self) -> Network:
        if self._network is None:
            raise JobError("the worker has not started")
        return self._network

    @property
    def enclave(self) -> str:
        """The enclave address ("" before boot)."""
        return self.identity.address if self.identity else ""

    def chain_time(self) -> int:
        """The latest block's timestamp (blocking)."""
        return int(self.network.w3.eth.get_block("latest")["timestamp"])

    # -- boot -------------------------------------------------------------------------------

    async def start(self, url: str) -> None:
        """Boot (see the module docstring); ``url`` is where the server listens."""
        config = self.config
        self.url = config.public_url or url
        w3 = config.connect()
        sender = await self.offload(TransactionSender, w3, config.operator_account)
        self._network = network = await self.offload(Network.connect, w3, config.deployment, sender)
        if isinstance(config.blob_store, BlobStore):
            self._store = config.blob_store
        else:
            self._store = open_store(config.blob_store, max_size=config.max_blob_size)
        blobs = BlobAccess(self._store, config.max_blob_size, config.blob_schemes)
        self._gatekeepers = GatekeeperClient(
            config.gatekeepers, config.deployment, timeout=config.gatekeeper_timeout
        )
        self._certification = certification = Certification(
            network=network,
            provider=config.make_provider(),
            gatekeepers=self._gatekeepers,
            blobs=blobs,
            operator=config.operator,
            lifetime=config.certificate_lifetime,
            offload=self.offload,
        )
        booted = await establish_identity(
            certification,
            state_path=config.data_dir / STATE_FILE,
            operator=config.operator,
            offload=self.offload,
        )
        self.identity, self.bundle = booted.identity, booted.bundle
        self._state_file = booted.state_file
        self.book.restore(booted.records)
        await self.persist()  # sealed before it is registered: its bond is never orphaned
        await self._announce(booted.bundle)
        await self._start_jobs(blobs)
        self.ready = self.accepting = True

    async def _announce(self, bundle: CertificateBundle) -> None:
        """Register ``bundle``'s enclave, or renew it and update its endpoint and terms."""
        config = self.config
        existing = await self.offload(self.network.workers.worker, bundle.certificate.enclave)
        plan = plan_registration(
            existing,
            bundle,
            operator=config.operator,
            endpoint=self.url,
            price=config.price,
            models=config.models,
        )
        if not plan.empty:
            await self.offload(
                apply_registration,
                self.network,
                plan,
                bundle,
                endpoint=self.url,
                price=config.price,
                models=config.models,
                bond=config.bond,
            )

    async def _start_jobs(self, blobs: BlobAccess) -> None:
        assert self.identity is not None and self._certification is not None
        network, identity, certification = self.network, self.identity, self._certification
        pipeline = JobPipeline(
            identity=identity,
            chain_id=self.config.deployment.chain_id,
            jobs=network.jobs.address,
            capsules=network.capsules.address,
            blobs=blobs,
            models=ModelCache(self.config.model_cache),
            chain=RegistryReader(network),
            keys=partial(certification.capsule_key, identity),
            offload=self.offload,
        )
        self._settlement = Settlement(
            book=self.book,
            jobs=network.jobs,
            domain=await self.offload(network.jobs.domain),
            identity=identity,
            offload=self.offload,
            chain_time=self.chain_time,
            persist=self.persist,
        )
        self._desk = JobDesk(
            book=self.book,
            network=network,
            pipeline=pipeline,
            enclave=identity.address,
            models=self.config.models,
            confirmations=self.config.confirmations,
            capacity=self.config.max_concurrent,
            offload=self.offload,
            persist=self.persist,
        )
        self._desk.start()
        self._background = [
            asyncio.create_task(self._renewal_loop(), name="worker-certificate-renewal"),
            asyncio.create_task(self._settlement_loop(), name="worker-settlement-sweep"),
        ]

    # -- sealed state -----------------------------------------------------------------------

    async def persist(self) -> None:
        """Seal the identity and the result book to the data directory (coalesced, atomic)."""
        if self.identity is None or self._state_file is None:
            return
        self._changes += 1
        wanted = self._changes
        async with self._save_lock:
            if self._saved >= wanted:
                return
            upto = self._changes
            state = WorkerState(self.identity, self.config.operator, list(self.book))
            await self.offload(self._state_file.write, state.encode(), upto)
            self._saved = upto

    # -- jobs -------------------------------------------------------------------------------

    async def deliver(self, delivery: JobDelivery) -> tuple[bool, JobRecord]:
        """Accept a delivered job (see :meth:`JobDesk.deliver`): whether it is new, its record."""
        if self._desk is None:
            raise JobError("the worker has not started")
        return await self._desk.deliver(delivery)

    async def batch(self, request: BatchRequest) -> SignedBatch | None:
        """A signed batch for ``request.relayer``, or None when no result is ready."""
        if self._settlement is None:
            return None
        return await self._settlement.batch(request)

    async def sweep_settled(self) -> int:
        """Mark results a relayer has settled since they were leased; returns how many."""
        if self._settlement is None:
            return 0
        return await self._settlement.sweep()

    # -- background -------------------------------------------------------------------------

    async def renew_certificate(self) -> CertificateBundle:
        """Re-attest the enclave, get a fresh certificate and renew it on-chain."""
        assert self.identity is not None and self._certification is not None
        bundle = await self._certification.certify(self.identity)
        await self._announce(bundle)
        self.bundle = bundle
        return bundle

    async def _renewal_loop(self) -> None:
        while True:
            assert self.bundle is not None
            try:
                chain_now = await self.offload(self.chain_time)
                wait = self.bundle.certificate.expiry - self.config.renew_before - chain_now
                if wait > 0:
                    await asyncio.sleep(min(wait, 60))
                    continue
                await self.renew_certificate()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _log.warning("certificate renewal failed (%s); retrying in 30 s", exc)
                await asyncio.sleep(30)

    async def _settlement_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.settle_poll)
            try:
                await self.sweep_settled()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _log.warning("settlement sweep failed: %s", exc)

    # -- views and shutdown -----------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """``GET /v1/status``: identity, attestation, terms, capacity and jobs per state."""
        certificate = self.bundle.certificate if self.bundle else None
        scheduler = self._desk.scheduler if self._desk else None
        return {
            "enclave": self.enclave,
            "operator": self.config.operator,
            "url": self.url,
            "chain_id": self.config.deployment.chain_id,
            "ready": self.ready,
            "accepting": self.accepting,
            "measurement": _hex(certificate.measurement) if certificate else None,
            "tee_kind": TeeKind(certificate.tee_kind).name.lower() if certificate else None,
            "quote_hash": _hex(certificate.quote_hash) if certificate else None,
            "certificate_expiry": certificate.expiry if certificate else None,
            "x25519_key": _hex(self.identity.x25519_public) if self.identity else None,
            "models": list(self.config.models),
            "price": self.config.price,
            "capacity": {
                "max_concurrent": self.config.max_concurrent,
                "running": len(scheduler.running) if scheduler else 0,
                "waiting": scheduler.waiting if scheduler else 0,
            },
            "jobs": self.book.counts(time.time()),
        }

    async def stop(self, timeout: float | None = None) -> None:
        """Stop accepting, let running jobs finish (up to ``timeout``), seal the state, close.

        Jobs cut short and jobs still queued stay queued in the sealed state: a worker restarted
        on the same data directory resumes them. Safe to call twice.
        """
        self.accepting = False
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background = []
        if self._desk is not None:
            cut = await self._desk.drain(
                self.config.shutdown_timeout if timeout is None else timeout
            )
            if cut:
                _log.info("jobs %s handed back to the queue", sorted(cut))
            self._desk = None
        try:
            await self.persist()
        except Exception as exc:  # still close everything; the last saved state stands
            _log.error("sealing the worker state at shutdown failed: %s", exc)
        if self._gatekeepers is not None:
            await self._gatekeepers.aclose()
            self._gatekeepers = None
        if self._store is not None and not isinstance(self.config.blob_store, BlobStore):
            self._store.close()
        self._store = None
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.ready = False


def _hex(data: bytes) -> str:
    return "0x" + data.hex()
