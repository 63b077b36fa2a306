"""Each verify check on plain evidence: which facts pass, and exactly what turns each red."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pytest
from eth_utils import keccak

from tests.unit.attestation.vectors import TDX
from veritee.attestation import (
    QuotePolicy,
    QuoteVerifier,
    ReportDataBinding,
    SimulatedPlatform,
    SimulatedProvider,
)
from veritee.chain.clients import ChainEvent, JobInfo
from veritee.chain.types import (
    CapsuleId,
    JobId,
    JobStatus,
    ModelId,
    TcbStatus,
    TeeKind,
    TokenAmount,
)
from veritee.crypto.typed_data import (
    Certificate,
    Domain,
    JobResult,
    address_of,
    batch_digest,
    certificate_digest,
    sign_digest,
)
from veritee.gatekeeper import WORKER_REPORT_DOMAIN
from veritee.sdk.verify.attestation_checks import check_certificate, check_policy, check_quote
from veritee.sdk.verify.checks import (
    check_payments,
    check_result,
    check_settlement,
    check_signature,
)
from veritee.sdk.verify.evidence import BatchFacts, JobFacts, PaymentFacts, ResultFacts
from veritee.sdk.verify.worker_evidence import CertificateFacts, PolicyFacts, QuoteFacts

ENCLAVE_KEY = keccak(b"unit enclave")
ENCLAVE = address_of(ENCLAVE_KEY)
GATEKEEPER_KEYS = [keccak(text=f"unit gatekeeper {i}") for i in range(3)]
MEMBERS = tuple(address_of(k) for k in GATEKEEPER_KEYS)
OPERATOR = "0x" + "0a" * 20
REQUESTER = "0x" + "0b" * 20
WORKERS = Domain("veritee Workers", "1", 31337, "0x" + "03" * 20)
JOBS = Domain("veritee Jobs", "1", 31337, "0x" + "07" * 20)
RESULT = JobResult(1, hashlib.sha256(b"result").digest(), "file:///r/" + "cd" * 32, 0)
SETTLED_AT = 1_700_000_500


def _job(**changes: Any) -> JobInfo:
    job = JobInfo(
        job_id=JobId(1),
        requester=REQUESTER,
        worker=ENCLAVE,
        model_id=ModelId(1),
        capsule_ids=(CapsuleId(4),),
        input_hash=b"\x01" * 32,
        input_uri="file:///in",
        result_key=b"\x02" * 32,
        max_fee=TokenAmount(100),
        deadline=1_700_001_000,
        callback="0x" + "00" * 20,
        callback_gas_limit=0,
        status=JobStatus.SETTLED,
        submitted_at=1_700_000_000,
        model_owner="0x" + "0c" * 20,
        model_fee=TokenAmount(20),
        capsule_fees=(TokenAmount(15),),
        worker_fee=TokenAmount(10),
        protocol_fee=TokenAmount(2),
    )
    return dataclasses.replace(job, **changes)


def _event(name: str, block: int = 9, **args: Any) -> ChainEvent:
    return ChainEvent(name, args, block, "0x" + "ee" * 32, 0)


def _submitted(job: JobInfo) -> ChainEvent:
    fields = ("requester", "worker", "model_id", "input_hash", "input_uri", "result_key")
    args = {name: getattr(job, name) for name in fields}
    args.update(
        capsule_ids=list(job.capsule_ids),
        max_fee=job.max_fee,
        price=job.price,
        deadline=job.deadline,
    )
    return _event("JobSubmitted", block=5, **args)


def _settled(job: JobInfo, paid: int = 47, refund: int = 53) -> JobFacts:
    outcome = _event(
        "JobSettled",
        result_hash=RESULT.result_hash,
        result_uri=RESULT.result_uri,
        paid=paid,
        refund=refund,
    )
    return JobFacts(1, job, _submitted(job), outcome, SETTLED_AT)


PAYMENTS = PaymentFacts(500, OPERATOR, "0x" + "0d" * 20, {4: "0x" + "0e" * 20})


# (a) settlement


def test_settlement_passes_for_a_settled_job() -> None:
    check = check_settlement(_settled(_job()))
    assert check.status == "pass" and "settled successfully at block 9" in check.detail


def test_settlement_fails_for_unknown_pending_or_inconsistent_jobs() -> None:
    assert "does not exist" in check_settlement(JobFacts(5, None, None, None, None)).detail
    pending = _job(status=JobStatus.PENDING)
    check = check_settlement(JobFacts(1, pending, _submitted(pending), None, None))
    assert not check.ok and "still pending" in check.detail
    facts = _settled(_job())
    forged = dataclasses.replace(facts, submitted=_submitted(_job(input_hash=b"\x09" * 32)))
    check = check_settlement(forged)
    assert not check.ok and "input_hash" in check.detail


# (e) result


def test_result_check() -> None:
    facts = _settled(_job())
    good = ResultFacts(RESULT.result_uri, RESULT.result_hash, b"result", None, corrupt=False)
    assert check_result(facts, good).status == "pass"
    corrupt = ResultFacts(RESULT.result_uri, RESULT.result_hash, None, "blob is corrupt", True)
    assert "does not hash to the on-chain result_hash" in check_result(facts, corrupt).detail
    lost = ResultFacts(RESULT.result_uri, RESULT.result_hash, None, "no blob", False)
    lost_check = check_result(facts, lost)
    assert not lost_check.ok and "unavailable" in lost_check.detail
    expired = dataclasses.replace(facts, job=_job(status=JobStatus.EXPIRED))
    assert check_result(expired, None).status == "skip"


# (f) signature


def _batch(results: list[JobResult], key: bytes = ENCLAVE_KEY, worker: str = ENCLAVE) -> BatchFacts:
    signature = sign_digest(key, batch_digest(JOBS, worker, results))
    return BatchFacts("0x" + "aa" * 32, worker, tuple(results), signature, JOBS)


def test_signature_passes_for_the_workers_batch_carrying_the_result() -> None:
    other = JobResult(2, b"\x05" * 32, "file:///other", 0)
    check = check_signature(_settled(_job()), _batch([other, RESULT]))
    assert check.status == "pass" and check.evidence["signer"] == ENCLAVE


def test_signature_fails_for_another_signer_or_another_result() -> None:
    facts = _settled(_job())
    wrong_key = check_signature(facts, _batch([RESULT], key=keccak(b"intruder")))
    assert not wrong_key.ok and "not by the worker's enclave" in wrong_key.detail
    changed = dataclasses.replace(RESULT, result_uri="file:///elsewhere")
    wrong_result = check_signature(facts, _batch([changed]))
    assert not wrong_result.ok and "does not carry job 1's result" in wrong_result.detail
    unreadable = BatchFacts("0x", None, (), None, None, "calls a relay contract")
    assert "calls a relay contract" in check_signature(facts, unreadable).detail


# (g) payments


def test_payments_name_every_payee() -> None:
    check = check_payments(_settled(_job()), PAYMENTS)
    assert check.status == "pass"
    roles = [row["role"] for row in check.evidence["payees"]]
    assert roles == ["model owner", "capsule 4 owner", "worker operator", "treasury"]
    assert sum(row["amount"] for row in check.evidence["payees"]) == 47


def test_payments_fail_on_wrong_amounts_or_fee_rate() -> None:
    overpaid = check_payments(_settled(_job(), paid=50, refund=50), PAYMENTS)
    assert not overpaid.ok and "instead of the price" in overpaid.detail
    wrong_rate = check_payments(_settled(_job()), dataclasses.replace(PAYMENTS, protocol_fee_bps=0))
    assert not wrong_rate.ok and "protocol fee" in wrong_rate.detail


def test_failed_job_must_refund_in_full() -> None:
    job = _job(status=JobStatus.FAILED)
    outcome = _event("JobFailed", reason=5, result_hash=b"\x01" * 32, result_uri="u", refund=100)
    facts = JobFacts(1, job, _submitted(job), outcome, SETTLED_AT)
    assert check_payments(facts, PAYMENTS).status == "pass"
    short = dataclasses.replace(
        facts, outcome=dataclasses.replace(outcome, args={**outcome.args, "refund": 99})
    )
    assert not check_payments(short, PAYMENTS).ok


# (b) certificate


def _certificate(**changes: Any) -> Certificate:
    certificate = Certificate(
        enclave=ENCLAVE,
        operator=OPERATOR,
        x25519_key=b"\x03" * 32,
        measurement=b"\x04" * 32,
        tee_kind=int(TeeKind.SIMULATED),
        tcb_status=int(TcbStatus.UP_TO_DATE),
        quote_hash=b"\x06" * 32,
        issued_at=1_700_000_000,
        expiry=1_700_086_400,
    )
    return dataclasses.replace(certificate, **changes)


def _certificate_facts(
    certificate: Certificate, signer_keys: list[bytes], **changes: Any
) -> CertificateFacts:
    digest = certificate_digest(WORKERS, certificate)
    announced = _event(
        "WorkerRegistered",
        block=3,
        **{
            name: getattr(certificate, name)
            for name in (
                "operator",
                "x25519_key",
                "measurement",
                "tee_kind",
                "tcb_status",
                "quote_hash",
                "issued_at",
                "expiry",
            )
        },
    )
    facts = CertificateFacts(
        enclave=ENCLAVE,
        announcement=announced,
        certificate=certificate,
        signatures=tuple(sign_digest(k, digest) for k in signer_keys),
        domain=WORKERS,
        members=MEMBERS,
        threshold=2,
        stored=None,
    )
    return dataclasses.replace(facts, **changes)


def test_certificate_with_threshold_member_signatures_passes() -> None:
    check = check_certificate(_certificate_facts(_certificate(), GATEKEEPER_KEYS[:2]), SETTLED_AT)
    assert check.status == "pass" and check.evidence["signers"] == sorted(MEMBERS[:2])


def test_certificate_needs_t_distinct_current_members() -> None:
    key = GATEKEEPER_KEYS[0]
    duplicated = _certificate_facts(_certificate(), [key, key])
    assert "Only 1 current gatekeepers" in check_certificate(duplicated, SETTLED_AT).detail
    outsider = _certificate_facts(_certificate(), [key, keccak(b"not a member")])
    assert not check_certificate(outsider, SETTLED_AT).ok


def test_certificate_must_match_the_registry_and_cover_the_settlement() -> None:
    facts = _certificate_facts(_certificate(), GATEKEEPER_KEYS[:2])
    forged = dataclasses.replace(facts, certificate=_certificate(measurement=b"\x09" * 32))
    check = check_certificate(forged, SETTLED_AT)
    assert not check.ok  # the signatures are over the real certificate, not the forged one
    lapsed = check_certificate(facts, 1_700_086_400)
    assert not lapsed.ok and "was not in force" in lapsed.detail
    unreadable = dataclasses.replace(facts, certificate=None, problem="calls a multisig")
    assert "calls a multisig" in check_certificate(unreadable, SETTLED_AT).detail


# (d) policy


def _policy(**changes: Any) -> PolicyFacts:
    facts = PolicyFacts(int(TeeKind.SIMULATED), b"\x04" * 32, 0, 9, True, True, True)
    return dataclasses.replace(facts, **changes)


def test_policy_at_the_settlement_block_decides() -> None:
    assert check_policy(_policy()).status == "pass"
    removed = check_policy(_policy(allowed_now=False))
    assert removed.ok and "removed since" in removed.detail
    never = check_policy(_policy(allowed=False, allowed_now=False))
    assert not never.ok and "did not allow simulated measurement" in never.detail
    assert not check_policy(_policy(tcb_accepted=False)).ok


# (c) quote


@pytest.fixture(scope="module")
def simulated(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[SimulatedPlatform, SimulatedProvider]:
    code = tmp_path_factory.mktemp("code")
    (code / "w.py").write_text("pass\n")
    platform = SimulatedPlatform.generate()
    provider = SimulatedProvider(
        {}, platform=platform, package_root=code, clock=lambda: 1_700_000_000
    )
    return platform, provider


def _quoted(provider: SimulatedProvider) -> tuple[Certificate, QuoteFacts]:
    binding = ReportDataBinding(
        WORKER_REPORT_DOMAIN, 31337, WORKERS.verifying_contract, ENCLAVE, b"\x03" * 32, OPERATOR
    )
    raw = provider.get_quote(binding.report_data(b"\x00" * 32)).raw
    certificate = _certificate(
        measurement=provider.measurement(), quote_hash=hashlib.sha256(raw).digest()
    )
    facts = QuoteFacts(
        raw, None, True, frozenset({TcbStatus.UP_TO_DATE}), 31337, WORKERS.verifying_contract, 9
    )
    return certificate, facts


def test_quote_check(simulated: tuple[SimulatedPlatform, SimulatedProvider]) -> None:
    platform, provider = simulated
    certificate, facts = _quoted(provider)
    keys = [platform.public_key_pem()]
    assert check_quote(certificate, facts, platform_keys=keys, now=SETTLED_AT).status == "pass"

    other_operator = dataclasses.replace(certificate, operator="0x" + "0f" * 20)
    check = check_quote(other_operator, facts, platform_keys=keys, now=SETTLED_AT)
    assert not check.ok and "report-data binding" in check.detail

    other_measurement = dataclasses.replace(certificate, measurement=b"\x09" * 32)
    assert (
        "measurement"
        in check_quote(other_measurement, facts, platform_keys=keys, now=SETTLED_AT).detail
    )

    refused = dataclasses.replace(facts, allow_simulated=False)
    check = check_quote(certificate, refused, platform_keys=keys, now=SETTLED_AT)
    assert not check.ok and "did not accept simulated quotes" in check.detail

    stranger = [SimulatedPlatform.generate().public_key_pem()]
    assert not check_quote(certificate, facts, platform_keys=stranger, now=SETTLED_AT).ok

    as_tdx = dataclasses.replace(certificate, tee_kind=int(TeeKind.TDX))
    check = check_quote(as_tdx, facts, now=SETTLED_AT)
    assert not check.ok and "does not verify" in check.detail

    missing = dataclasses.replace(facts, raw=None, problem="no blob")
    assert "not in the blob store" in check_quote(certificate, missing, now=SETTLED_AT).detail


def test_real_tdx_quote_is_verified_against_collateral_and_its_binding_checked() -> None:
    everything = frozenset(TcbStatus) - {TcbStatus.REVOKED}
    claims = QuoteVerifier(TDX.collateral, QuotePolicy(everything)).verify(TDX.raw, now=TDX.now)
    facts = QuoteFacts(TDX.raw, None, False, everything, 31337, WORKERS.verifying_contract, 9)
    certificate = _certificate(
        tee_kind=int(TeeKind.TDX),
        measurement=claims.measurement,
        tcb_status=int(claims.tcb_status),
        quote_hash=hashlib.sha256(TDX.raw).digest(),
    )
    no_collateral = check_quote(certificate, facts, now=TDX.now)
    assert not no_collateral.ok and "collateral" in no_collateral.detail
    check = check_quote(certificate, facts, collateral=TDX.collateral, now=TDX.now)
    # The upstream sample binds someone else's keys: it verifies, and only the binding differs.
    assert not check.ok and check.evidence["secure"] is True
    assert check.detail.endswith(
        "differs from the certificate in its report-data binding (enclave, X25519 key, "
        "operator, registry, chain)."
    )
