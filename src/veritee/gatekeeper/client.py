"""The worker's side: ask ``n`` gatekeepers at once, keep the first ``t`` valid answers.

:class:`GatekeeperClient` (async, over ``httpx.AsyncClient`` with an injectable transport) gets a
worker certified (:meth:`~GatekeeperClient.request_certificate`) and recovers capsule data keys
and named keys (:meth:`~GatekeeperClient.capsule_key`, :meth:`~GatekeeperClient.named_key`):
every gatekeeper is asked concurrently; each answer is opened with the worker's X25519 key and its
DLEQ proof checked against the gatekeeper's on-chain public share; as soon as ``t`` are valid they
are combined. Liars (bad proofs) and failures (down, denied, with their reasons) are reported in
the result; with fewer than ``t`` valid answers a :class:`~veritee.exceptions.QuorumError` names
every gatekeeper's outcome. :class:`SyncGatekeeperClient` wraps it for synchronous callers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from veritee.chain.deployment import Deployment
from veritee.crypto.envelope import EnvelopeContext, X25519KeyPair, open_envelope
from veritee.crypto.secp256k1 import Point
from veritee.crypto.threshold import (
    CapsuleContext,
    DecryptionShare,
    combine_points,
    data_key_from_point,
    named_key_from_point,
    verify_named_share,
    verify_share,
)
from veritee.crypto.typed_data import Domain, address_of, certificate_digest, recover_digest
from veritee.exceptions import (
    DecryptionError,
    MalformedRequest,
    ProofError,
    QuorumError,
    SignatureError,
)
from veritee.gatekeeper.auth import RequestSigner, request_domain
from veritee.gatekeeper.certificates import CertificateGrant, CertifyRequest
from veritee.gatekeeper.outcomes import (
    CertificateBundle,
    GatekeeperEndpoint,
    KeyRelease,
    OutcomeKind,
    describe_outcomes,
)
from veritee.gatekeeper.quorum import Refusal, first_valid, post_json
from veritee.gatekeeper.transport import AiohttpTransport
from veritee.gatekeeper.wire import (
    CapsuleShareBody,
    NamedKeyBody,
    ShareGrant,
    request_headers,
)

__all__ = ["GatekeeperClient", "SyncGatekeeperClient"]

T = TypeVar("T")


@dataclass(frozen=True)
class _KeyRequest:
    """One key request: its action, body, envelope context, and how to check and combine."""

    action: str
    body: bytes
    envelope: EnvelopeContext
    verify: Callable[[Point, DecryptionShare], None]
    derive: Callable[[Mapping[int, Point]], bytes]


class GatekeeperClient:
    """Talks to the gatekeepers of ``deployment`` at ``endpoints`` (index, address, URL).

    ``transport`` defaults to :class:`~veritee.gatekeeper.transport.AiohttpTransport`; inject
    ``httpx.MockTransport`` (tests) or any other ``httpx.AsyncBaseTransport``.
    """

    def __init__(
        self,
        endpoints: Sequence[GatekeeperEndpoint],
        deployment: Deployment,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.endpoints = list(endpoints)
        self.deployment = deployment
        self.chain_id = deployment.chain_id
        self._request_domain = request_domain(self.chain_id, deployment.address("Gatekeepers"))
        self._workers_domain = Domain(
            "veritee Workers", "1", self.chain_id, deployment.address("Workers")
        )
        wire = transport or AiohttpTransport()
        self._http = httpx.AsyncClient(transport=wire, timeout=timeout)
        # Key requests use our own transport directly (see AiohttpTransport.post), any other
        # through httpx.
        self._keys_wire: httpx.AsyncClient | AiohttpTransport = (
            wire if isinstance(wire, AiohttpTransport) else self._http
        )
        self._timeout = timeout
        self._clock = clock
        # Requests still running after a release had its t shares: left to finish, so that
        # their connections can be reused, and awaited (or cancelled) on close.
        self._background: set[asyncio.Task[Any]] = set()

    async def aclose(self) -> None:
        """Stop requests still running and close the HTTP connections."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self._http.aclose()

    async def __aenter__(self) -> GatekeeperClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _certify_one(self, endpoint: GatekeeperEndpoint, body: bytes) -> CertificateGrant:
        grant = CertificateGrant.from_json(
            await post_json(self._http, endpoint, "/v1/certify", body)
        )
        digest = certificate_digest(self._workers_domain, grant.certificate)
        if recover_digest(digest, grant.signature) != endpoint.address:
            raise SignatureError("certificate is not signed by the gatekeeper that sent it")
        return grant

    async def request_certificate(
        self, request: CertifyRequest, threshold: int
    ) -> CertificateBundle:
        """Ask every gatekeeper to certify; return ``threshold`` or more matching signatures.

        All signatures must be over identical certificate fields; they come back ordered by
        ascending signer address, as the Workers contract wants them.
        """
        body = json.dumps(request.to_json(), separators=(",", ":")).encode()
        calls = {e: self._certify_one(e, body) for e in self.endpoints}
        grants, outcomes = await first_valid(calls, threshold, wait_for_all=True)
        groups: dict[Any, list[CertificateGrant]] = {}
        for grant in grants.values():
            groups.setdefault(grant.certificate, []).append(grant)
        best = max(groups.values(), key=len, default=[])
        if len(best) < threshold:
            raise QuorumError(
                f"only {len(best)} matching certificate signatures, {threshold} needed: "
                + describe_outcomes(outcomes),
                dict(outcomes),
            )
        best.sort(key=lambda grant: int(grant.signer, 16))
        return CertificateBundle(
            best[0].certificate,
            tuple(g.signature for g in best),
            tuple(g.signer for g in best),
            outcomes,
        )

    async def _share_from(
        self,
        endpoint: GatekeeperEndpoint,
        spec: _KeyRequest,
        signer: RequestSigner,
        x25519: X25519KeyPair,
    ) -> DecryptionShare:
        """One gatekeeper's share, opened but not yet verified."""
        signed = signer.sign(
            self._request_domain,
            action=spec.action,
            body=spec.body,
            gatekeeper=endpoint.address,
            issued_at=int(self._clock()),
        )
        path = f"/v1/{spec.action}"
        headers = request_headers(signed)
        document = await post_json(
            self._keys_wire, endpoint, path, spec.body, headers, timeout=self._timeout
        )
        try:
            grant = ShareGrant.from_json(document)
            plaintext = open_envelope(x25519, grant.envelope, spec.envelope, aad=signed.nonce)
            return DecryptionShare.from_bytes(plaintext)
        except (MalformedRequest, DecryptionError, ProofError) as exc:
            raise Refusal.of(endpoint, OutcomeKind.BAD_ANSWER, str(exc)) from exc

    async def _release(
        self,
        spec: _KeyRequest,
        enclave_key: bytes,
        x25519: X25519KeyPair,
        public_shares: Mapping[int, Point],
        threshold: int,
        wait_for_all: bool,
    ) -> KeyRelease:
        def check(endpoint: GatekeeperEndpoint, share: DecryptionShare) -> None:
            public = public_shares.get(endpoint.index)
            if share.index != endpoint.index or public is None:
                raise Refusal.of(endpoint, OutcomeKind.LIED, "share for another index")
            try:
                spec.verify(public, share)
            except ProofError as exc:
                raise Refusal.of(endpoint, OutcomeKind.LIED, str(exc)) from exc

        signer = RequestSigner(enclave_key)
        calls = {e: self._share_from(e, spec, signer, x25519) for e in self.endpoints}
        shares, outcomes = await first_valid(
            calls, threshold, check=check, wait_for_all=wait_for_all, background=self._background
        )
        if len(shares) < threshold:
            raise QuorumError(
                f"only {len(shares)} valid key shares, {threshold} needed: "
                + describe_outcomes(outcomes),
                dict(outcomes),
            )
        chosen = {i: shares[i].point for i in sorted(shares)[:threshold]}
        return KeyRelease(spec.derive(chosen), outcomes)

    async def capsule_key(
        self,
        *,
        job_id: int,
        capsule_id: int,
        enclave_key: bytes,
        x25519: X25519KeyPair,
        capsule_r: Point,
        public_shares: Mapping[int, Point],
        threshold: int,
        wait_for_all: bool = False,
    ) -> KeyRelease:
        """The data key of ``capsule_id`` (whose on-chain point is ``capsule_r``) for ``job_id``.

        ``public_shares`` are the on-chain ``S_i`` and ``threshold`` the on-chain ``t``. With
        ``wait_for_all`` every gatekeeper's outcome is awaited (to report all liars).
        """
        capsules = self.deployment.address("Capsules")
        context = CapsuleContext.for_ephemeral(capsule_r, self.chain_id, capsules)
        encoded = context.encode()
        spec = _KeyRequest(
            action="capsule-share",
            body=CapsuleShareBody(job_id, capsule_id, address_of(enclave_key)).encode(),
            envelope=EnvelopeContext("capsule-share", self.chain_id, capsules, capsule_id),
            verify=lambda public, share: verify_share(public, capsule_r, share, encoded),
            derive=lambda points: data_key_from_point(combine_points(points), context),
        )
        return await self._release(
            spec, enclave_key, x25519, public_shares, threshold, wait_for_all
        )

    async def named_key(
        self,
        *,
        name: str,
        enclave_key: bytes,
        x25519: X25519KeyPair,
        public_shares: Mapping[int, Point],
        threshold: int,
        wait_for_all: bool = False,
        certificate: CertificateBundle | None = None,
    ) -> KeyRelease:
        """The named key ``name`` (``seal:<measurement>``, …), from ``threshold`` valid shares.

        A worker not yet certified on-chain (restarting before it registers) passes the
        ``certificate`` bundle :meth:`request_certificate` returned to get its sealing key.
        """
        ctx = name.encode("utf-8")
        object_id = int.from_bytes(hashlib.sha256(ctx).digest(), "big")
        gatekeepers = self.deployment.address("Gatekeepers")
        body = NamedKeyBody(name, address_of(enclave_key))
        if certificate is not None:
            body = NamedKeyBody(
                name, body.worker, certificate.certificate, tuple(certificate.signatures)
            )
        spec = _KeyRequest(
            action="named-key-share",
            body=body.encode(),
            envelope=EnvelopeContext("named-key-share", self.chain_id, gatekeepers, object_id),
            verify=lambda public, share: verify_named_share(public, ctx, share),
            derive=lambda points: named_key_from_point(combine_points(points), ctx),
        )
        return await self._release(
            spec, enclave_key, x25519, public_shares, threshold, wait_for_all
        )


class SyncGatekeeperClient:
    """:class:`GatekeeperClient` for synchronous code: each call runs on a private event loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self.client = GatekeeperClient(*args, **kwargs)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._loop.run_until_complete(coroutine)

    def request_certificate(self, request: CertifyRequest, threshold: int) -> CertificateBundle:
        """See :meth:`GatekeeperClient.request_certificate`."""
        return self._run(self.client.request_certificate(request, threshold))

    def capsule_key(self, **kwargs: Any) -> KeyRelease:
        """See :meth:`GatekeeperClient.capsule_key`."""
        return self._run(self.client.capsule_key(**kwargs))

    def named_key(self, **kwargs: Any) -> KeyRelease:
        """See :meth:`GatekeeperClient.named_key` (``certificate=`` included)."""
        return self._run(self.client.named_key(**kwargs))

    def close(self) -> None:
        """Close the connections and the loop. Safe to call twice."""
        if not self._loop.is_closed():
            self._run(self.client.aclose())
            self._loop.close()

    def __enter__(self) -> SyncGatekeeperClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
