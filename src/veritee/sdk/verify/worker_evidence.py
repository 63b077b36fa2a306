"""Gathering the worker's evidence: its certificate, the quote behind it, the TEE policy.

Read as of the block that matters: the certificate in force at settlement, the gatekeeper set at
the block that registered (or renewed) it, the TEE policy at settlement. A later change (a
measurement revoked, a gatekeeper replaced) does not rewrite history. What cannot be read becomes
a ``problem`` that :mod:`.attestation_checks` reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address

from veritee.blobs import BlobStore
from veritee.chain.clients import ChainEvent, Network, WorkersClient
from veritee.chain.types import TcbStatus, TeeKind
from veritee.crypto.typed_data import Certificate, Domain
from veritee.exceptions import BlobError
from veritee.sdk.verify.evidence import Unreadable, decode_call

__all__ = [
    "CertificateFacts",
    "PolicyFacts",
    "QuoteFacts",
    "StoredWorker",
    "certificate_facts",
    "policy_facts",
    "quote_facts",
    "stored_worker",
]


def _certificate(raw: Mapping[str, Any]) -> Certificate:
    return Certificate(
        enclave=to_checksum_address(raw["enclave"]),
        operator=to_checksum_address(raw["operator"]),
        x25519_key=bytes(raw["x25519_key"]),
        measurement=bytes(raw["measurement"]),
        tee_kind=int(raw["tee_kind"]),
        tcb_status=int(raw["tcb_status"]),
        quote_hash=bytes(raw["quote_hash"]),
        issued_at=int(raw["issued_at"]),
        expiry=int(raw["expiry"]),
    )


@dataclass(frozen=True)
class StoredWorker:
    """The certificate fields the Workers contract keeps in storage for a worker."""

    operator: str
    measurement: bytes
    tee_kind: int
    tcb_status: int
    expiry: int


def stored_worker(workers: WorkersClient, enclave: str) -> StoredWorker:
    """What ``Workers.workers(enclave)`` stores, at the client's block: one call (where
    ``WorkersClient.worker`` also scans the worker's events for its announced keys)."""
    raw = workers.contract.functions.workers(to_checksum_address(enclave)).call(
        block_identifier=workers.block
    )
    # The Worker struct's order: operator, measurement, measurement_id, tee_kind, tcb_status,
    # expiry, price, bond, status, unbond_at, models.
    return StoredWorker(
        operator=to_checksum_address(raw[0]),
        measurement=bytes(raw[1]),
        tee_kind=int(raw[3]),
        tcb_status=int(raw[4]),
        expiry=int(raw[5]),
    )


@dataclass(frozen=True)
class CertificateFacts:
    """The certificate in force at a block: its announcement, the call that carried it, the
    gatekeeper set when it was registered, and what the registry stored for the worker."""

    enclave: str
    announcement: ChainEvent | None
    certificate: Certificate | None
    signatures: tuple[bytes, ...]
    domain: Domain | None
    members: tuple[str, ...]
    threshold: int
    stored: StoredWorker | None
    problem: str | None = None


def certificate_facts(network: Network, enclave: str, settlement: ChainEvent) -> CertificateFacts:
    """The certificate of ``enclave`` in force when ``settlement`` was logged: the last one
    announced before it (earlier block, or earlier in the same block)."""
    block = settlement.block_number
    workers = network.workers.at_block(block)
    where = {"worker": enclave}
    start = network.deployment.block
    before = (block, settlement.log_index)
    announcements = [
        event
        for name in ("WorkerRegistered", "CertificateRenewed")
        for event in workers.events(name, start, argument_filters=where)
        if (event.block_number, event.log_index) < before
    ]
    stored = stored_worker(workers, enclave)
    if not announcements:
        problem = f"no certificate for worker {enclave} was announced up to block {block}"
        return CertificateFacts(enclave, None, None, (), None, (), 0, stored, problem)
    event = max(announcements, key=lambda e: (e.block_number, e.log_index))
    at = network.at_block(event.block_number)
    members = tuple(at.gatekeepers.members())
    threshold = at.gatekeepers.threshold()
    domain = at.workers.domain()
    try:
        _, arguments = decode_call(at.workers, event.transaction_hash, ("register", "renew"))
        certificate = _certificate(arguments["certificate"])
        signatures = tuple(bytes(s) for s in arguments["signatures"])
    except Unreadable as exc:
        return CertificateFacts(
            enclave, event, None, (), domain, members, threshold, stored, str(exc)
        )
    return CertificateFacts(
        enclave, event, certificate, signatures, domain, members, threshold, stored
    )


@dataclass(frozen=True)
class QuoteFacts:
    """The raw quote the certificate names (or why it is unavailable), and the policy context."""

    raw: bytes | None
    problem: str | None
    allow_simulated: bool
    accepted_tcb: frozenset[TcbStatus]
    chain_id: int
    registry: str
    block: int


def quote_facts(network: Network, store: BlobStore, quote_hash: bytes, block: int) -> QuoteFacts:
    policy = network.policy.at_block(block)
    accepted = frozenset(status for status in TcbStatus if policy.tcb_accepted(status))
    raw: bytes | None = None
    problem: str | None = None
    try:
        raw = store.get(quote_hash.hex())
    except BlobError as exc:
        problem = str(exc)
    return QuoteFacts(
        raw=raw,
        problem=problem,
        allow_simulated=policy.allow_simulated(),
        accepted_tcb=accepted,
        chain_id=network.deployment.chain_id,
        registry=network.workers.address,
        block=block,
    )


@dataclass(frozen=True)
class PolicyFacts:
    """What the TEE policy said about a measurement and TCB status, then and now."""

    tee_kind: int
    measurement: bytes
    tcb_status: int
    block: int
    allowed: bool
    tcb_accepted: bool
    allowed_now: bool


def policy_facts(
    network: Network, tee_kind: int, measurement: bytes, tcb_status: int, block: int
) -> PolicyFacts:
    kind = TeeKind(tee_kind)
    then = network.policy.at_block(block)
    return PolicyFacts(
        tee_kind=tee_kind,
        measurement=measurement,
        tcb_status=tcb_status,
        block=block,
        allowed=then.allows_measurement(kind, measurement),
        tcb_accepted=then.tcb_accepted(TcbStatus(tcb_status)),
        allowed_now=network.policy.allows_measurement(kind, measurement),
    )
