"""The worker's links: its gatekeeper certificate, the TEE quote behind it, the TEE policy.

Pure functions from gathered evidence (:mod:`.evidence`) to a :class:`~.report.Check`. The quote
check re-runs the attestation verification itself (cryptography, no I/O): a verifier trusts the
gatekeepers' signatures only as far as the quote they certified still verifies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from veritee.attestation import QuotePolicy, QuoteVerifier, ReportDataBinding
from veritee.attestation.collateral import CollateralSource
from veritee.chain.types import TcbStatus, TeeKind
from veritee.crypto.typed_data import Certificate, certificate_digest, recover_digest
from veritee.exceptions import AttestationError, SignatureError
from veritee.gatekeeper.certify import WORKER_REPORT_DOMAIN
from veritee.sdk.verify.report import Check
from veritee.sdk.verify.worker_evidence import CertificateFacts, PolicyFacts, QuoteFacts

__all__ = ["certificate_evidence", "check_certificate", "check_policy", "check_quote"]

# What a renewal announces; a registration announces these and the rest of the certificate.
_RENEWED_FIELDS = ("x25519_key", "tcb_status", "quote_hash", "issued_at", "expiry")
_REGISTERED_FIELDS = (*_RENEWED_FIELDS, "operator", "measurement", "tee_kind")


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def certificate_evidence(certificate: Certificate) -> dict[str, Any]:
    return {
        "enclave": certificate.enclave,
        "operator": certificate.operator,
        "x25519_key": certificate.x25519_key,
        "measurement": certificate.measurement,
        "tee_kind": TeeKind(certificate.tee_kind).name.lower(),
        "tcb_status": TcbStatus(certificate.tcb_status).name,
        "quote_hash": certificate.quote_hash,
        "issued_at": certificate.issued_at,
        "expiry": certificate.expiry,
    }


def _field_mismatches(facts: CertificateFacts, certificate: Certificate) -> list[str]:
    wrong = []
    event = facts.announcement
    if event is not None:
        names = _REGISTERED_FIELDS if event.name == "WorkerRegistered" else _RENEWED_FIELDS
        for name in names:
            if event.args.get(name) != getattr(certificate, name):
                wrong.append(f"{name} (announced)")
    stored = facts.stored
    if stored is not None:
        pairs = {
            "operator": (stored.operator, certificate.operator),
            "measurement": (stored.measurement, certificate.measurement),
            "tee_kind": (stored.tee_kind, certificate.tee_kind),
            "tcb_status": (stored.tcb_status, certificate.tcb_status),
            "expiry": (stored.expiry, certificate.expiry),
        }
        wrong += [f"{name} (stored)" for name, (a, b) in pairs.items() if a != b]
    if certificate.enclave != facts.enclave:
        wrong.append("enclave")
    return wrong


def check_certificate(facts: CertificateFacts, settled_at: int) -> Check:
    """(b) The certificate in force at settlement carries ``t`` current gatekeeper signatures,
    matches the registry, and covers the settlement time."""
    name = "certificate"
    evidence: dict[str, Any] = {"enclave": facts.enclave, "settled_at": settled_at}
    if facts.announcement is not None:
        evidence.update(
            announcement=facts.announcement.name,
            announced_block=facts.announcement.block_number,
            announced_transaction=facts.announcement.transaction_hash,
        )
    certificate = facts.certificate
    if certificate is None or facts.domain is None:
        return Check.failed(
            name, f"The worker's certificate cannot be read: {facts.problem}.", **evidence
        )
    digest = certificate_digest(facts.domain, certificate)
    evidence.update(
        certificate=certificate_evidence(certificate),
        digest=digest,
        members=list(facts.members),
        threshold=facts.threshold,
    )
    signers: list[str] = []
    for signature in facts.signatures:
        try:
            signers.append(recover_digest(digest, signature))
        except SignatureError:
            continue
    valid = sorted(set(signers) & set(facts.members))
    evidence["signers"] = valid
    if len(valid) < facts.threshold:
        return Check.failed(
            name,
            f"Only {len(valid)} current gatekeepers signed the certificate; {facts.threshold} "
            "are required.",
            **evidence,
        )
    wrong = _field_mismatches(facts, certificate)
    if wrong:
        return Check.failed(
            name,
            f"The signed certificate differs from the registry's record in {', '.join(wrong)}.",
            **evidence,
        )
    if not certificate.issued_at <= settled_at < certificate.expiry:
        return Check.failed(
            name,
            f"The certificate (issued {certificate.issued_at}, expiring {certificate.expiry}) "
            f"was not in force at settlement time {settled_at}.",
            **evidence,
        )
    return Check.passed(
        name,
        f"{len(valid)} of {len(facts.members)} gatekeepers (threshold {facts.threshold}) signed "
        f"the certificate of enclave {facts.enclave}, which matches the registry and was in force "
        "at settlement.",
        **evidence,
    )


def _verify_quote(
    raw: bytes,
    kind: TeeKind,
    facts: QuoteFacts,
    *,
    platform_keys: Sequence[bytes],
    collateral: CollateralSource | None,
    quote_policy: QuotePolicy | None,
    now: int,
) -> tuple[Any, str | None]:
    """The verified quote, or ``(None, why not)``."""
    if kind is TeeKind.SIMULATED:
        if not facts.allow_simulated:
            return None, (
                f"the certificate rests on a simulated quote, but the TEE policy at block "
                f"{facts.block} did not accept simulated quotes"
            )
        if not platform_keys:
            return None, (
                "the certificate rests on a simulated quote (development networks only); pass "
                "the development platform key (simulated_platform_keys) to verify it"
            )
        verifier = QuoteVerifier(simulated_platform_keys=platform_keys)
    else:
        policy = quote_policy or QuotePolicy.any_status().tightened(facts.accepted_tcb)
        verifier = QuoteVerifier(collateral, policy)
    try:
        return verifier.verify(raw, now=now), None
    except AttestationError as exc:
        return None, f"the quote does not verify: {exc}"


def check_quote(
    certificate: Certificate | None,
    facts: QuoteFacts | None,
    *,
    platform_keys: Sequence[bytes] = (),
    collateral: CollateralSource | None = None,
    quote_policy: QuotePolicy | None = None,
    now: int,
) -> Check:
    """(c) The raw quote the certificate names verifies and binds the certificate's keys."""
    name = "quote"
    if certificate is None or facts is None:
        return Check.failed(name, "The quote cannot be checked: the certificate could not be read.")
    kind = TeeKind(certificate.tee_kind)
    evidence: dict[str, Any] = {"quote_hash": certificate.quote_hash, "tee_kind": kind.name.lower()}
    if facts.raw is None:
        return Check.failed(
            name,
            f"The attestation quote {_hex(certificate.quote_hash)} named by the certificate is "
            f"not in the blob store ({facts.problem}), so the worker's TEE cannot be re-verified.",
            **evidence,
        )
    if hashlib.sha256(facts.raw).digest() != certificate.quote_hash:
        return Check.failed(
            name, "The stored quote does not hash to the certificate's quote_hash.", **evidence
        )
    verified, problem = _verify_quote(
        facts.raw,
        kind,
        facts,
        platform_keys=platform_keys,
        collateral=collateral,
        quote_policy=quote_policy,
        now=now,
    )
    if verified is None:
        return Check.failed(name, f"The worker's quote cannot be trusted: {problem}.", **evidence)
    binding = ReportDataBinding(
        domain=WORKER_REPORT_DOMAIN,
        chain_id=facts.chain_id,
        registry=facts.registry,
        enclave=certificate.enclave,
        x25519_public=certificate.x25519_key,
        operator=certificate.operator,
    )
    evidence.update(
        measurement=verified.measurement,
        report_data=verified.report_data,
        expected_binding=binding.digest(),
        nonce=verified.report_data[32:],
        tcb_status=verified.tcb_status.name,
        secure=verified.secure,
        verified_at=now,
    )
    same_kind = verified.kind == kind or (kind is TeeKind.DSTACK and verified.kind is TeeKind.TDX)
    wrong = []
    if not same_kind:
        wrong.append(f"its TEE kind ({verified.kind.name.lower()})")
    if verified.measurement != certificate.measurement:
        wrong.append("its measurement")
    if verified.report_data[:32] != binding.digest():
        wrong.append("its report-data binding (enclave, X25519 key, operator, registry, chain)")
    if int(verified.tcb_status) != certificate.tcb_status:
        wrong.append(f"its TCB status ({verified.tcb_status.name})")
    if wrong:
        return Check.failed(
            name,
            f"The quote verifies but differs from the certificate in {', '.join(wrong)}.",
            **evidence,
        )
    if kind is TeeKind.SIMULATED:
        return Check.passed(
            name,
            "The simulated quote (development only: it proves nothing about hardware) verifies "
            "against the pinned platform key and binds the certificate's measurement, enclave, "
            "X25519 key and operator.",
            **evidence,
        )
    return Check.passed(
        name,
        f"The {kind.name} quote verifies against Intel's collateral (TCB "
        f"{verified.tcb_status.name}) and binds the certificate's measurement, enclave, X25519 "
        "key and operator.",
        **evidence,
    )


def check_policy(facts: PolicyFacts | None) -> Check:
    """(d) The TEE policy at the settlement block allowed the worker's measurement and TCB."""
    name = "policy"
    if facts is None:
        return Check.failed(
            name, "The policy cannot be checked: the certificate could not be read."
        )
    kind = TeeKind(facts.tee_kind).name.lower()
    evidence = {
        "tee_kind": kind,
        "measurement": facts.measurement,
        "tcb_status": TcbStatus(facts.tcb_status).name,
        "block": facts.block,
        "allowed_at_block": facts.allowed,
        "tcb_accepted_at_block": facts.tcb_accepted,
        "allowed_now": facts.allowed_now,
    }
    measurement = _hex(facts.measurement)
    if not facts.allowed:
        return Check.failed(
            name,
            f"The TEE policy at block {facts.block} did not allow {kind} measurement "
            f"{measurement}.",
            **evidence,
        )
    if not facts.tcb_accepted:
        return Check.failed(
            name,
            f"The TEE policy at block {facts.block} did not accept TCB status "
            f"{TcbStatus(facts.tcb_status).name}.",
            **evidence,
        )
    since = "" if facts.allowed_now else " (it has been removed since)"
    return Check.passed(
        name,
        f"The TEE policy at settlement block {facts.block} allowed {kind} measurement "
        f"{measurement}{since}.",
        **evidence,
    )
