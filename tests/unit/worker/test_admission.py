"""check_delivery: a delivery is taken only if it is exactly the chain's job, for this worker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.unit.worker.support import ENCLAVE, delivery, job_info
from veritee.chain.types import JobStatus
from veritee.exceptions import JobRejected
from veritee.worker.admission import DELIVERY_FIELDS, check_delivery, differing_field

MODELS = (3, 4)


def _check(d=None, info=None, **kwargs):  # type: ignore[no-untyped-def]
    d = d or delivery()
    arguments = {"enclave": ENCLAVE, "models": MODELS, "chain_now": 5_000}
    arguments.update(kwargs)
    check_delivery(d, info or job_info(d), **arguments)  # type: ignore[arg-type]


def test_matching_delivery_is_accepted() -> None:
    _check()


def test_addresses_compare_case_insensitively() -> None:
    d = delivery()
    _check(d, job_info(d, worker=ENCLAVE.upper().replace("0X", "0x")))


TAMPERED = {
    "requester": "0x" + "99" * 20,
    "model_id": 4,
    "capsule_ids": (1,),
    "input_hash": bytes(32),
    "input_uri": "file:///elsewhere/" + "00" * 32,
    "result_key": bytes(32),
    "deadline": 20_000,
}


@pytest.mark.parametrize("field", DELIVERY_FIELDS)
def test_a_tampered_field_is_named(field: str) -> None:
    honest = delivery()
    tampered = replace(honest, **{field: TAMPERED[field]})
    assert differing_field(tampered, job_info(honest)) == field
    with pytest.raises(JobRejected) as caught:
        _check(tampered, job_info(honest))
    assert caught.value.reason == f"delivered {field} differs from the chain's"
    assert caught.value.job_id == honest.job_id


def test_unknown_job() -> None:
    with pytest.raises(JobRejected, match="does not exist on-chain"):
        _check(info=job_info(status=JobStatus.UNKNOWN))


def test_job_for_another_worker() -> None:
    with pytest.raises(JobRejected, match="not assigned to this worker"):
        _check(info=job_info(worker="0x" + "12" * 20))


@pytest.mark.parametrize("status", [JobStatus.SETTLED, JobStatus.FAILED, JobStatus.EXPIRED])
def test_job_not_pending(status: JobStatus) -> None:
    with pytest.raises(JobRejected, match=f"not pending \\(it is {status.name.lower()}\\)"):
        _check(info=job_info(status=status))


def test_job_past_deadline() -> None:
    with pytest.raises(JobRejected, match="past its deadline"):
        _check(chain_now=10_000)


def test_model_not_served() -> None:
    with pytest.raises(JobRejected, match="model 3 is not served by this worker"):
        _check(models=(4,))


def test_redelivery_compares_with_the_accepted_delivery() -> None:
    assert differing_field(delivery(), delivery()) is None
    assert differing_field(delivery(input_uri="x"), delivery()) == "input_uri"
