"""Who may get a key share: pure decisions over on-chain facts, no I/O.

The gatekeeper service reads the facts (job, capsule, worker) from the chain and asks these
functions; each denial names its reason so that the worker, the audit log and the operator all
see the same words. Facts are plain dataclasses from :mod:`veritee.chain.clients`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from eth_utils import to_canonical_address

from veritee.chain.clients import CapsuleInfo, JobInfo, WorkerInfo
from veritee.chain.types import JobStatus, WorkerStatus

__all__ = [
    "CertificateFacts",
    "Decision",
    "Denial",
    "decide_capsule_release",
    "decide_named_key",
    "parse_key_name",
]


class Denial(StrEnum):
    """Why a key share is refused; the value is the message shown to the asker."""

    WORKER_UNKNOWN = "worker is not registered"
    WORKER_NOT_CERTIFIED = (
        "worker is not certified (expired certificate or policy no longer admits it)"
    )
    WORKER_WITHDRAWN = "worker has withdrawn"
    JOB_UNKNOWN = "job does not exist"
    JOB_NOT_ASSIGNED = "job is not assigned to this worker"
    JOB_NOT_PENDING = "job is already settled, failed or expired"
    JOB_PAST_DEADLINE = "job is past its deadline"
    CAPSULE_NOT_IN_JOB = "job does not include this capsule"
    CAPSULE_UNKNOWN = "capsule does not exist"
    CAPSULE_REVOKED = "capsule is revoked"
    CAPSULE_EXPIRED = "capsule is expired"
    CAPSULE_USED_UP = "capsule has no uses left"
    MODEL_NOT_ALLOWED = "capsule policy does not allow the job's model"
    KEY_NAME_INVALID = "key name is malformed"
    MEASUREMENT_MISMATCH = "sealing key belongs to another measurement"
    AGENT_REGISTRY_MISSING = "agent keys need an agent registry, and none is configured"
    AGENT_NOT_ENTITLED = "worker is not entitled to this agent's key"
    CERTIFICATE_OTHER_ENCLAVE = "certificate is for another enclave"
    CERTIFICATE_EXPIRED = "certificate is expired"
    CERTIFICATE_NOT_ADMITTED = "certificate's TEE is no longer admitted by the on-chain policy"
    CERTIFICATE_BAD_SIGNATURE = "certificate carries an invalid signature"
    CERTIFICATE_NOT_MEMBER = "certificate is signed by a non-gatekeeper"
    CERTIFICATE_DUPLICATE_SIGNER = "certificate carries two signatures of one gatekeeper"
    CERTIFICATE_TOO_FEW_SIGNATURES = "certificate has fewer than t gatekeeper signatures"


@dataclass(frozen=True)
class Decision:
    """The outcome: allowed, or denied with a reason."""

    allowed: bool
    reason: Denial | None = None

    @classmethod
    def allow(cls) -> Decision:
        return cls(True)

    @classmethod
    def deny(cls, reason: Denial) -> Decision:
        return cls(False, reason)


@dataclass(frozen=True)
class CertificateFacts:
    """What a gatekeeper found out about a certificate a worker presented (no I/O here).

    ``signers`` holds, per signature, the address it recovers to (None if it does not
    recover); ``members`` and ``threshold`` are the current on-chain set; ``admitted`` is the
    on-chain TEE policy's verdict on the certificate's kind, measurement and TCB status.
    """

    enclave: str
    measurement: bytes
    expiry: int
    admitted: bool
    signers: tuple[str | None, ...]
    members: tuple[str, ...]
    threshold: int


def _certificate_decision(
    facts: CertificateFacts, *, asker: str, measurement: str, now: int
) -> Decision:
    if to_canonical_address(facts.enclave) != to_canonical_address(asker):
        return Decision.deny(Denial.CERTIFICATE_OTHER_ENCLAVE)
    if facts.expiry <= now:
        return Decision.deny(Denial.CERTIFICATE_EXPIRED)
    if facts.measurement.hex() != measurement:
        return Decision.deny(Denial.MEASUREMENT_MISMATCH)
    if not facts.admitted:
        return Decision.deny(Denial.CERTIFICATE_NOT_ADMITTED)
    members = {to_canonical_address(m) for m in facts.members}
    recovered = [to_canonical_address(s) for s in facts.signers if s is not None]
    valid = {s for s in recovered if s in members}
    if len(valid) >= facts.threshold:
        return Decision.allow()
    # Too few: name the most telling flaw among the signatures.
    if len(set(recovered)) != len(recovered):
        return Decision.deny(Denial.CERTIFICATE_DUPLICATE_SIGNER)
    if len(valid) != len(recovered):
        return Decision.deny(Denial.CERTIFICATE_NOT_MEMBER)
    if None in facts.signers:
        return Decision.deny(Denial.CERTIFICATE_BAD_SIGNATURE)
    return Decision.deny(Denial.CERTIFICATE_TOO_FEW_SIGNATURES)


def _worker_decision(worker: WorkerInfo | None, certified: bool) -> Decision | None:
    if worker is None or worker.status is WorkerStatus.UNKNOWN:
        return Decision.deny(Denial.WORKER_UNKNOWN)
    if worker.status is WorkerStatus.WITHDRAWN:
        return Decision.deny(Denial.WORKER_WITHDRAWN)
    if not certified:
        return Decision.deny(Denial.WORKER_NOT_CERTIFIED)
    return None


def decide_capsule_release(
    *,
    asker: str,
    worker: WorkerInfo | None,
    certified: bool,
    job: JobInfo | None,
    capsule: CapsuleInfo | None,
    now: int,
) -> Decision:
    """May ``asker`` (an enclave address) get a decryption share for ``capsule`` in ``job``?

    Yes only if the worker is registered, not withdrawn and certified (``certified`` is the
    chain's own verdict, which includes the live TEE policy); the job exists, is pending,
    before its deadline, assigned to the asker and includes the capsule; and the capsule is
    neither revoked, expired nor used up, and allows the job's model.
    """
    denied = _worker_decision(worker, certified)
    if denied:
        return denied
    if job is None or job.status is JobStatus.UNKNOWN:
        return Decision.deny(Denial.JOB_UNKNOWN)
    if to_canonical_address(job.worker) != to_canonical_address(asker):
        return Decision.deny(Denial.JOB_NOT_ASSIGNED)
    if job.status is not JobStatus.PENDING:
        return Decision.deny(Denial.JOB_NOT_PENDING)
    if now > job.deadline:
        return Decision.deny(Denial.JOB_PAST_DEADLINE)
    if capsule is None or capsule.owner == "0x" + "00" * 20:
        return Decision.deny(Denial.CAPSULE_UNKNOWN)
    if capsule.capsule_id not in job.capsule_ids:
        return Decision.deny(Denial.CAPSULE_NOT_IN_JOB)
    if capsule.revoked:
        return Decision.deny(Denial.CAPSULE_REVOKED)
    if capsule.expiry != 0 and now >= capsule.expiry:
        return Decision.deny(Denial.CAPSULE_EXPIRED)
    # The job's own reservation is counted in `pending`; only settled uses can exhaust it.
    if capsule.max_uses != 0 and capsule.uses >= capsule.max_uses:
        return Decision.deny(Denial.CAPSULE_USED_UP)
    if capsule.allowed_models and job.model_id not in capsule.allowed_models:
        return Decision.deny(Denial.MODEL_NOT_ALLOWED)
    return Decision.allow()


def parse_key_name(name: str) -> tuple[str, str]:
    """Splits ``"seal:<hex measurement>"`` or ``"agent:<id>"``; raises ValueError otherwise."""
    kind, sep, value = name.partition(":")
    if not sep or kind not in ("seal", "agent") or not value or len(name) > 200:
        raise ValueError(f"unsupported key name {name[:64]!r}")
    if kind == "seal":
        raw = value.removeprefix("0x")
        if len(raw) != 64 or any(c not in "0123456789abcdef" for c in raw):
            raise ValueError("a sealing key name is seal:<64 lowercase hex digits>")
        value = raw
    return kind, value


def decide_named_key(
    *,
    name: str,
    worker: WorkerInfo | None,
    certified: bool,
    agent_entitled: bool | None = None,
    asker: str | None = None,
    certificate: CertificateFacts | None = None,
    now: int = 0,
) -> Decision:
    """May this worker get a share of the named key ``name``?

    ``seal:<measurement>`` goes only to certified workers running exactly that measurement,
    so the same code always recovers the same sealing key and no other code can. A worker not
    certified on-chain (it needs the key to restart, before it registers) may instead present
    a ``certificate``: it must be for ``asker`` itself, unexpired at ``now``, of that
    measurement, still admitted by the TEE policy, and signed by at least ``t`` distinct
    current gatekeepers. ``agent:<id>`` goes only to workers certified on-chain that the agent
    registry entitles (``agent_entitled``); without a registry (``None``) it is refused.
    """
    try:
        kind, value = parse_key_name(name)
    except ValueError:
        return Decision.deny(Denial.KEY_NAME_INVALID)
    if kind == "seal" and not certified and certificate is not None and asker is not None:
        return _certificate_decision(certificate, asker=asker, measurement=value, now=now)
    denied = _worker_decision(worker, certified)
    if denied:
        return denied
    assert worker is not None  # _worker_decision refused None
    if kind == "seal":
        if worker.measurement.hex() != value:
            return Decision.deny(Denial.MEASUREMENT_MISMATCH)
        return Decision.allow()
    if agent_entitled is None:
        return Decision.deny(Denial.AGENT_REGISTRY_MISSING)
    return Decision.allow() if agent_entitled else Decision.deny(Denial.AGENT_NOT_ENTITLED)
