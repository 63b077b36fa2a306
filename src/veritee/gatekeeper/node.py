"""A gatekeeper without HTTP: certification, key shares for capsules and named keys, the DKG.

:class:`GatekeeperNode` ties the pure parts together: it reads facts from the chain
(:class:`~.chain_view.ChainView`), asks the pure policy (:mod:`~.policy`), authenticates requests
(:mod:`~.auth`), rate-limits them (:mod:`~.ratelimit`), makes verified decryption shares with its
key share, seals them to the worker's attested X25519 key, and writes every release and refusal to
the hash-chained audit log (:mod:`~.audit`), which holds ids and reasons, never key material.

Its key share comes from a DKG (:mod:`~.node_dkg`) or a resharing (:mod:`~.node_reshare`) and
is used only once the chain publishes the matching network key: a share whose public key or
public shares differ from the chain's is never used.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from veritee.chain.clients import Network, WorkerInfo
from veritee.crypto._common import Rng, default_rng
from veritee.crypto.envelope import EnvelopeContext, seal
from veritee.crypto.secp256k1 import Point
from veritee.crypto.threshold import (
    CapsuleContext,
    DecryptionShare,
    KeyShare,
    make_named_share,
    make_share,
)
from veritee.exceptions import (
    AccessDenied,
    ConfigError,
    CryptoError,
    KeyNotReady,
    MalformedRequest,
    RateLimited,
    SignatureError,
)
from veritee.gatekeeper.audit import AuditLog
from veritee.gatekeeper.auth import ReplayGuard, SignedRequest, request_domain, verify_request
from veritee.gatekeeper.certificate_facts import certificate_facts
from veritee.gatekeeper.certificates import CertificateGrant, CertifyRequest
from veritee.gatekeeper.certify import Certifier
from veritee.gatekeeper.chain_view import BlockFacts, ChainView
from veritee.gatekeeper.config import GatekeeperConfig
from veritee.gatekeeper.keystore import KeyShareStore
from veritee.gatekeeper.node_dkg import DkgRole
from veritee.gatekeeper.node_reshare import ReshareRole
from veritee.gatekeeper.policy import Decision, decide_capsule_release, decide_named_key
from veritee.gatekeeper.ratelimit import RateLimiter
from veritee.gatekeeper.wire import (
    CapsuleShareBody,
    NamedKeyBody,
    ShareGrant,
)

__all__ = ["CAPSULE_SHARE", "NAMED_KEY_SHARE", "GatekeeperNode"]

_log = logging.getLogger("veritee.gatekeeper")

#: Actions (and envelope purposes) of the two key requests.
CAPSULE_SHARE = "capsule-share"
NAMED_KEY_SHARE = "named-key-share"
_KEY_RECHECK_S = 10.0


class GatekeeperNode(DkgRole, ReshareRole):
    """One gatekeeper's logic over its configuration and the chain; thread-safe."""

    def __init__(
        self,
        config: GatekeeperConfig,
        *,
        clock: Callable[[], float] = time.time,
        rng: Rng = default_rng,
    ) -> None:
        self.config = config
        self.network = Network.connect(config.connect(), config.deployment)
        self.view = ChainView(self.network, config.confirmations, head_max_age=config.head_max_age)
        self.chain_id = config.deployment.chain_id
        self.index, self.address = config.index, config.address
        members = self.network.gatekeepers.members()
        if len(members) < self.index or members[self.index - 1] != self.address:
            raise ConfigError(
                f"gatekeeper {self.address} is not member {self.index} of the on-chain set"
            )
        self._clock, self._rng = clock, rng
        self.request_domain = request_domain(self.chain_id, self.network.gatekeepers.address)
        self.guard = ReplayGuard(window=2 * config.max_clock_skew + 1)
        self.limiter = RateLimiter(config.rate_limit, config.rate_burst)
        self.audit = AuditLog(config.data_dir / "audit.log", clock=clock)
        self.store = KeyShareStore(
            config.data_dir, config.signing_key, self.chain_id, self.network.gatekeepers.address
        )
        self.certifier = Certifier(
            signing_key=config.signing_key,
            view=self.view,
            collateral=config.collateral,
            quote_policy=config.quote_policy,
            simulated_platform_keys=config.simulated_platform_keys,
            lifetime=config.certificate_lifetime,
            nonce_max_age=config.nonce_max_age_blocks,
            clock=clock,
        )
        self._key: KeyShare | None = None
        self._key_checked = float("-inf")
        self._key_lock = threading.Lock()
        DkgRole.__init__(self)
        ReshareRole.__init__(self)
        self.refresh_key()

    # -- the key share -------------------------------------------------------------------------

    def refresh_key(self) -> KeyShare | None:
        """Activate the key share matching the chain's published key, if we hold it."""
        with self._key_lock:
            self._key_checked = time.monotonic()
            gatekeepers = self.network.gatekeepers
            if not gatekeepers.key_published():
                self._key = None
                return None
            epoch = gatekeepers.epoch()
            share = self.finalized_share(epoch) or self.store.load(epoch, self.index)
            expected = (gatekeepers.network_key(), gatekeepers.public_shares())
            if share is None or expected != _public_part(share):
                if share is not None:
                    _log.warning(
                        "our key share does not match the published key of epoch %d", epoch
                    )
                self._key = None
                return None
            self._key = share
            return share

    @property
    def ready(self) -> bool:
        """Whether a key share matching the published network key is active."""
        return self._key is not None

    def key_share(self) -> KeyShare:
        """The active key share; raises :class:`KeyNotReady` if there is none."""
        key = self._key
        if key is None or time.monotonic() - self._key_checked > _KEY_RECHECK_S:
            key = self.refresh_key()
        if key is None:
            raise KeyNotReady("no network key yet", "this gatekeeper holds no published key share")
        return key

    def info(self) -> dict[str, Any]:
        """Public facts about this gatekeeper (no secrets)."""
        gatekeepers = self.network.gatekeepers
        key = self._key
        return {
            "index": self.index,
            "address": self.address,
            "x25519_key": "0x" + self.config.encryption_key.public_bytes().hex(),
            "chain_id": self.chain_id,
            "gatekeepers": gatekeepers.address,
            "t": gatekeepers.threshold(),
            "n": len(gatekeepers.members()),
            "epoch": gatekeepers.epoch(),
            "key_published": gatekeepers.key_published(),
            "ready": self.ready,
            "public_share": None
            if key is None
            else "0x" + key.public_shares[self.index].compressed.hex(),
        }

    # -- certification -------------------------------------------------------------------------

    def certify(self, request: CertifyRequest) -> CertificateGrant:
        """Certify a worker (see :mod:`~.certify`); every outcome is audited."""
        fields = {"enclave": request.enclave, "operator": request.operator}
        if not self.limiter.allow("certify:" + request.enclave):
            self.audit.append("certify", decision="rate-limited", **fields)
            raise RateLimited("rate limited", "too many certification requests for this enclave")
        try:
            grant = self.certifier.certify(request)
        except AccessDenied as exc:
            self.audit.append("certify", decision="refused", reason=exc.reason, **fields)
            raise
        c = grant.certificate
        self.audit.append(
            "certify",
            decision="certified",
            measurement="0x" + c.measurement.hex(),
            tee_kind=c.tee_kind,
            expiry=c.expiry,
            **fields,
        )
        return grant

    # -- key shares ----------------------------------------------------------------------------

    def _authenticate(self, action: str, request: SignedRequest, body: bytes, worker: str) -> None:
        fields = {"worker": request.worker}
        try:
            if worker != request.worker:
                raise SignatureError("the body names another worker than the request's signer")
            verify_request(
                request,
                self.request_domain,
                action=action,
                body=body,
                gatekeeper=self.address,
                guard=self.guard,
                max_skew=self.config.max_clock_skew,
                clock=self._clock,
            )
        except SignatureError as exc:
            self.audit.append(action, decision="unauthenticated", reason=str(exc), **fields)
            raise
        if not self.limiter.allow(request.worker):
            self.audit.append(action, decision="rate-limited", **fields)
            raise RateLimited("rate limited", "too many key requests from this worker")

    def _decide(self, action: str, decision: Decision, fields: dict[str, Any]) -> None:
        if not decision.allowed:
            assert decision.reason is not None
            self.audit.append(action, decision="denied", reason=decision.reason.value, **fields)
            raise AccessDenied(decision.reason.value)

    def _capsule_decryption_share(
        self, key: KeyShare, point: Point, context: bytes
    ) -> DecryptionShare:
        """``s_i·R`` with its DLEQ proof (a seam tests use to play a lying gatekeeper)."""
        return make_share(key, point, context, rng=self._rng)

    def _named_decryption_share(self, key: KeyShare, ctx: bytes) -> DecryptionShare:
        """``s_i·H(ctx)`` with its DLEQ proof (the same seam for named keys)."""
        return make_named_share(key, ctx, rng=self._rng)

    def _worker_facts(self, block: BlockFacts, enclave: str) -> tuple[WorkerInfo | None, bool, int]:
        """The worker, whether it is certified (the chain's verdict, and unexpired by our
        clock too) and the time decisions use (the later of the block's and ours)."""
        worker = self.view.worker(block, enclave)
        now = max(block.timestamp, int(self._clock()))
        certified = self.view.is_certified(block, enclave)
        return worker, certified and worker is not None and worker.expiry > now, now

    def _seal(
        self,
        worker: WorkerInfo,
        share: DecryptionShare,
        context: EnvelopeContext,
        request: SignedRequest,
        fields: dict[str, Any],
    ) -> bytes:
        if len(worker.x25519_key) != 32:  # a registered worker always announced one
            reason = "worker has no X25519 key on-chain"
            self.audit.append(context.purpose, decision="denied", reason=reason, **fields)
            raise AccessDenied(reason)
        return seal(worker.x25519_key, share.to_bytes(), context, aad=request.nonce)

    def capsule_share(self, request: SignedRequest, body: bytes) -> ShareGrant:
        """A decryption share of a capsule's ``R`` for the job's worker, sealed to its key."""
        key = self.key_share()
        asked = CapsuleShareBody.parse(body)
        self._authenticate(CAPSULE_SHARE, request, body, asked.worker)
        block = self.view.pinned()
        worker, certified, now = self._worker_facts(block, asked.worker)
        capsule = self.view.capsule(block, asked.capsule_id)
        fields = {"worker": asked.worker, "job_id": asked.job_id, "capsule_id": asked.capsule_id}
        fields["block"] = block.number
        decision = decide_capsule_release(
            asker=asked.worker,
            worker=worker,
            certified=certified,
            job=self.view.job(block, asked.job_id),
            capsule=capsule,
            now=now,
        )
        self._decide(CAPSULE_SHARE, decision, fields)
        assert worker is not None and capsule is not None
        capsules = self.network.capsules.address
        try:
            point = Point.from_xy(*capsule.r)
        except CryptoError as exc:
            self.audit.append(
                CAPSULE_SHARE, decision="denied", reason="capsule R is not a point", **fields
            )
            raise AccessDenied("capsule R is not a point") from exc
        context = CapsuleContext.for_ephemeral(point, self.chain_id, capsules)
        share = self._capsule_decryption_share(key, point, context.encode())
        envelope = EnvelopeContext(CAPSULE_SHARE, self.chain_id, capsules, asked.capsule_id)
        sealed = self._seal(worker, share, envelope, request, fields)
        self.audit.append(CAPSULE_SHARE, decision="released", **fields)
        return ShareGrant(self.index, sealed)

    def capsule_share_is_cached(self, body: bytes) -> bool:
        """Whether :meth:`capsule_share` for ``body`` would wait on nothing but the audit log's
        fsync: the key share was checked recently, the pinned head needs no re-read and every
        chain fact the decision reads at it is cached. Does no I/O and changes nothing; every
        check of :meth:`capsule_share` still runs when it is called. False for a malformed body.
        """
        if self._key is None or time.monotonic() - self._key_checked > _KEY_RECHECK_S:
            return False
        try:
            asked = CapsuleShareBody.parse(body)
        except MalformedRequest:
            return False
        return self.view.answers_cached(
            ("worker", asked.worker),
            ("certified", asked.worker),
            ("capsule", asked.capsule_id),
            ("job", asked.job_id),
        )

    def named_key_share(self, request: SignedRequest, body: bytes) -> ShareGrant:
        """A share of the named key (``seal:<measurement>``, …) for a worker the policy allows.

        A worker not certified on-chain may present its gatekeeper certificate for its sealing
        key; the share is then sealed to the certificate's X25519 key.
        """
        key = self.key_share()
        asked = NamedKeyBody.parse(body)
        self._authenticate(NAMED_KEY_SHARE, request, body, asked.worker)
        block = self.view.pinned()
        worker, certified, now = self._worker_facts(block, asked.worker)
        fields: dict[str, Any] = {"worker": asked.worker, "name": asked.name}
        fields["block"] = block.number
        presented = None
        if asked.certificate is not None and not certified:
            fields["via"] = "certificate"
            presented = certificate_facts(self.network, block, asked.certificate, asked.signatures)
        decision = decide_named_key(
            name=asked.name,
            worker=worker,
            certified=certified,
            asker=asked.worker,
            certificate=presented,
            now=now,
        )
        self._decide(NAMED_KEY_SHARE, decision, fields)
        ctx = asked.name.encode("utf-8")
        share = self._named_decryption_share(key, ctx)
        contract = self.network.gatekeepers.address
        object_id = int.from_bytes(hashlib.sha256(ctx).digest(), "big")
        envelope = EnvelopeContext(NAMED_KEY_SHARE, self.chain_id, contract, object_id)
        if presented is not None and asked.certificate is not None:
            attested = asked.certificate.x25519_key  # 32 bytes, checked by the parser
            sealed = seal(attested, share.to_bytes(), envelope, aad=request.nonce)
        else:
            assert worker is not None
            sealed = self._seal(worker, share, envelope, request, fields)
        self.audit.append(NAMED_KEY_SHARE, decision="released", **fields)
        return ShareGrant(self.index, sealed)


def _public_part(share: KeyShare) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    return share.public_key.xy, [share.public_shares[j].xy for j in range(1, share.n + 1)]
