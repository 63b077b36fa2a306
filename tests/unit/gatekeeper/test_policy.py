"""Key-release decisions on plain data: every denial reason, and the one way to be allowed."""

from __future__ import annotations

import dataclasses

import pytest

from veritee.chain.clients import CapsuleInfo, JobInfo, WorkerInfo
from veritee.chain.types import (
    CapsuleId,
    JobId,
    JobStatus,
    ModelId,
    TcbStatus,
    TeeKind,
    TokenAmount,
    WorkerStatus,
)
from veritee.gatekeeper.policy import (
    Denial,
    decide_capsule_release,
    decide_named_key,
    parse_key_name,
)

ENCLAVE = "0x" + "11" * 20
OTHER = "0x" + "22" * 20
NOW = 1_800_000_000
MEASUREMENT = bytes.fromhex("ab" * 32)

WORKER = WorkerInfo(
    enclave=ENCLAVE,
    operator="0x" + "33" * 20,
    measurement=MEASUREMENT,
    measurement_id=1,
    tee_kind=TeeKind.TDX,
    tcb_status=TcbStatus.UP_TO_DATE,
    expiry=NOW + 100,
    price=TokenAmount(1),
    bond=TokenAmount(100),
    status=WorkerStatus.ACTIVE,
    unbond_at=0,
    models=(ModelId(7),),
    x25519_key=b"\x01" * 32,
    quote_hash=b"\x02" * 32,
    issued_at=NOW - 10,
    endpoint="http://127.0.0.1:1",
)
JOB = JobInfo(
    job_id=JobId(1),
    requester="0x" + "44" * 20,
    worker=ENCLAVE,
    model_id=ModelId(7),
    capsule_ids=(CapsuleId(5),),
    input_hash=b"\x03" * 32,
    input_uri="blob://i",
    result_key=b"\x04" * 32,
    max_fee=TokenAmount(10),
    deadline=NOW + 60,
    callback="0x" + "00" * 20,
    callback_gas_limit=0,
    status=JobStatus.PENDING,
    submitted_at=NOW - 5,
    model_owner="0x" + "55" * 20,
    model_fee=TokenAmount(1),
    capsule_fees=(TokenAmount(1),),
    worker_fee=TokenAmount(1),
    protocol_fee=TokenAmount(0),
)
CAPSULE = CapsuleInfo(
    capsule_id=CapsuleId(5),
    owner="0x" + "66" * 20,
    ciphertext_sha256=b"\x05" * 32,
    uri="blob://c",
    r=(1, 2),
    price=TokenAmount(1),
    max_uses=3,
    expiry=NOW + 1_000,
    revoked=False,
    uses=1,
    pending=1,
    allowed_models=(ModelId(7),),
)


def decide(**changes: object):  # type: ignore[no-untyped-def]
    facts: dict[str, object] = {
        "asker": ENCLAVE,
        "worker": WORKER,
        "certified": True,
        "job": JOB,
        "capsule": CAPSULE,
        "now": NOW,
    }
    facts.update(changes)
    return decide_capsule_release(**facts)  # type: ignore[arg-type]


def test_allowed_when_everything_holds() -> None:
    decision = decide()
    assert decision.allowed and decision.reason is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"worker": None}, Denial.WORKER_UNKNOWN),
        (
            {"worker": dataclasses.replace(WORKER, status=WorkerStatus.WITHDRAWN)},
            Denial.WORKER_WITHDRAWN,
        ),
        ({"certified": False}, Denial.WORKER_NOT_CERTIFIED),
        ({"job": None}, Denial.JOB_UNKNOWN),
        ({"asker": OTHER}, Denial.JOB_NOT_ASSIGNED),
        ({"job": dataclasses.replace(JOB, status=JobStatus.SETTLED)}, Denial.JOB_NOT_PENDING),
        ({"job": dataclasses.replace(JOB, status=JobStatus.EXPIRED)}, Denial.JOB_NOT_PENDING),
        ({"now": NOW + 61}, Denial.JOB_PAST_DEADLINE),
        ({"capsule": None}, Denial.CAPSULE_UNKNOWN),
        (
            {"capsule": dataclasses.replace(CAPSULE, capsule_id=CapsuleId(6))},
            Denial.CAPSULE_NOT_IN_JOB,
        ),
        ({"capsule": dataclasses.replace(CAPSULE, revoked=True)}, Denial.CAPSULE_REVOKED),
        ({"capsule": dataclasses.replace(CAPSULE, expiry=NOW)}, Denial.CAPSULE_EXPIRED),
        ({"capsule": dataclasses.replace(CAPSULE, uses=3)}, Denial.CAPSULE_USED_UP),
        (
            {"capsule": dataclasses.replace(CAPSULE, allowed_models=(ModelId(8),))},
            Denial.MODEL_NOT_ALLOWED,
        ),
    ],
)
def test_each_denial_names_its_reason(changes: dict[str, object], reason: Denial) -> None:
    decision = decide(**changes)
    assert not decision.allowed
    assert decision.reason is reason


def test_unbonding_worker_still_gets_keys_for_its_jobs() -> None:
    assert decide(worker=dataclasses.replace(WORKER, status=WorkerStatus.UNBONDING)).allowed


def test_empty_allowed_models_means_any_model_and_zero_means_unlimited() -> None:
    capsule = dataclasses.replace(CAPSULE, allowed_models=(), max_uses=0, expiry=0, uses=10**6)
    assert decide(capsule=capsule).allowed


def test_asker_address_case_does_not_matter() -> None:
    assert decide(asker=ENCLAVE.upper().replace("0X", "0x")).allowed


def test_sealing_key_only_for_its_own_measurement() -> None:
    name = "seal:" + MEASUREMENT.hex()
    assert decide_named_key(name=name, worker=WORKER, certified=True).allowed
    other = decide_named_key(name="seal:" + "cd" * 32, worker=WORKER, certified=True)
    assert other.reason is Denial.MEASUREMENT_MISMATCH
    assert (
        decide_named_key(name=name, worker=WORKER, certified=False).reason
        is Denial.WORKER_NOT_CERTIFIED
    )


def test_agent_keys_need_a_registry_and_entitlement() -> None:
    assert (
        decide_named_key(name="agent:42", worker=WORKER, certified=True).reason
        is Denial.AGENT_REGISTRY_MISSING
    )
    assert decide_named_key(
        name="agent:42", worker=WORKER, certified=True, agent_entitled=True
    ).allowed
    denied = decide_named_key(name="agent:42", worker=WORKER, certified=True, agent_entitled=False)
    assert denied.reason is Denial.AGENT_NOT_ENTITLED


@pytest.mark.parametrize(
    "name",
    [
        "",
        "seal",
        "seal:",
        "seal:zz",
        "seal:" + "AB" * 32,
        "other:1",
        "agent:",
        "agent:" + "x" * 300,
    ],
)
def test_malformed_key_names(name: str) -> None:
    with pytest.raises(ValueError, match=r"key name|sealing key name"):
        parse_key_name(name)
    assert (
        decide_named_key(name=name, worker=WORKER, certified=True).reason is Denial.KEY_NAME_INVALID
    )


def test_key_name_accepts_0x_prefix() -> None:
    assert parse_key_name("seal:0x" + "ab" * 32) == ("seal", "ab" * 32)
