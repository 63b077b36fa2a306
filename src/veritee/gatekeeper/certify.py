"""Certifying workers: verify a quote, its binding and freshness, the on-chain policy; then sign.

A worker asks every gatekeeper for a signature over the same EIP-712 ``WorkerCertificate`` and
registers with ``t`` of them (DESIGN §4). The steps, each failing with
:class:`~veritee.exceptions.AccessDenied` naming its reason:

1. the nonce is the hash of a canonical block at most ``nonce_max_age`` blocks old, so the quote
   is fresh;
2. the quote verifies: real kinds with dcap-qvl against collateral and the quote policy
   (tightened by the on-chain accepted TCB statuses); simulated quotes only if the on-chain
   ``TeePolicy.allow_simulated()`` is on and the quote is signed by a pinned platform key;
3. its report data binds (domain, chain id, Workers contract, enclave, X25519 key, operator) and
   the nonce;
4. the on-chain ``TeePolicy.check(kind, measurement, tcb)`` admits it.

All gatekeepers must sign identical fields, so none reads its own clock: ``issuedAt`` is the
nonce block's timestamp (at most ``nonce_max_age`` blocks ago, never in the chain's future) and
``expiry`` adds the lifetime the worker asked for, capped by this gatekeeper's configured
lifetime and the on-chain maximum.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from veritee.attestation.collateral import CollateralSource
from veritee.attestation.policy import QuotePolicy
from veritee.attestation.report_data import ReportDataBinding, check_report_data
from veritee.attestation.types import Quote, VerifiedQuote
from veritee.attestation.verify import QuoteVerifier
from veritee.chain.types import TcbStatus, TeeKind
from veritee.crypto.typed_data import Certificate, address_of, certificate_digest, sign_digest
from veritee.exceptions import (
    AccessDenied,
    AttestationError,
    CollateralError,
    ContractRevert,
    PolicyViolation,
    ReportDataMismatch,
)
from veritee.gatekeeper.certificates import CertificateGrant, CertifyRequest
from veritee.gatekeeper.chain_view import ChainView

__all__ = ["WORKER_REPORT_DOMAIN", "Certifier"]

#: The report-data domain of a worker's registration quote (see ``ReportDataBinding``).
WORKER_REPORT_DOMAIN = "veritee.worker.v1"


def _attestation_reason(exc: AttestationError) -> str:
    if isinstance(exc, CollateralError):
        return "collateral unavailable"
    if isinstance(exc, PolicyViolation):
        return "quote policy refuses the TCB"
    return "quote does not verify"


class Certifier:
    """Checks certification requests and signs the certificates of workers that pass."""

    def __init__(
        self,
        *,
        signing_key: bytes,
        view: ChainView,
        collateral: CollateralSource | None,
        quote_policy: QuotePolicy,
        simulated_platform_keys: Sequence[bytes],
        lifetime: int,
        nonce_max_age: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = signing_key
        self.address = address_of(signing_key)
        self.view = view
        self._collateral = collateral
        self._quote_policy = quote_policy
        self._simulated_keys = tuple(simulated_platform_keys)
        self.lifetime = lifetime
        self.nonce_max_age = nonce_max_age
        self._clock = clock
        network = view.network
        self._chain_id = int(view.w3.eth.chain_id)
        self._workers_contract = network.workers.address
        self._workers_domain = network.workers.domain()

    def _verify_quote(self, request: CertifyRequest) -> VerifiedQuote:
        policy = self.view.network.policy
        allow_simulated = policy.allow_simulated()
        if request.tee_kind == TeeKind.SIMULATED and not allow_simulated:
            raise AccessDenied(
                "simulated quotes not accepted", "the on-chain TeePolicy refuses simulated quotes"
            )
        accepted = [status for status in TcbStatus if policy.tcb_accepted(status)]
        verifier = QuoteVerifier(
            self._collateral,
            self._quote_policy.tightened(accepted),
            self._clock,
            simulated_platform_keys=self._simulated_keys if allow_simulated else (),
        )
        quote = Quote(request.tee_kind, request.quote, request.event_log)
        try:
            verified = verifier.verify_quote(quote)
        except AttestationError as exc:
            raise AccessDenied(_attestation_reason(exc), f"attestation refused: {exc}") from exc
        if verified.kind == TeeKind.SIMULATED and not allow_simulated:
            raise AccessDenied(
                "simulated quotes not accepted", "the on-chain TeePolicy refuses simulated quotes"
            )
        return verified

    def certify(self, request: CertifyRequest) -> CertificateGrant:
        """Run every check on ``request``; returns the signed certificate or raises AccessDenied."""
        nonce_block = self.view.fresh_block(request.nonce, self.nonce_max_age)
        verified = self._verify_quote(request)
        binding = ReportDataBinding(
            domain=WORKER_REPORT_DOMAIN,
            chain_id=self._chain_id,
            registry=self._workers_contract,
            enclave=request.enclave,
            x25519_public=request.x25519_key,
            operator=request.operator,
        )
        try:
            check_report_data(verified.report_data, binding, request.nonce)
        except ReportDataMismatch as exc:
            raise AccessDenied("report data mismatch", str(exc)) from exc
        policy = self.view.network.policy
        try:
            policy.check(verified.kind, verified.measurement, verified.tcb_status)
        except ContractRevert as exc:
            raise AccessDenied(exc.reason, f"on-chain TEE policy: {exc.raw}") from exc
        lifetime = min(
            request.lifetime or self.lifetime, self.lifetime, policy.max_certificate_lifetime()
        )
        expiry = nonce_block.timestamp + lifetime
        if expiry <= int(self._clock()):
            raise AccessDenied(
                "certificate would be expired",
                "the nonce block is older than the certificate lifetime; use a newer nonce",
            )
        certificate = Certificate(
            enclave=request.enclave,
            operator=request.operator,
            x25519_key=request.x25519_key,
            measurement=verified.measurement,
            tee_kind=int(verified.kind),
            tcb_status=int(verified.tcb_status),
            quote_hash=verified.quote_hash,
            issued_at=nonce_block.timestamp,
            expiry=expiry,
        )
        signature = sign_digest(self._key, certificate_digest(self._workers_domain, certificate))
        return CertificateGrant(certificate, signature, self.address)
