"""plan_registration: register a new enclave; renew and update a known one; refuse the rest."""

from __future__ import annotations

from dataclasses import replace

import pytest

from veritee.chain.clients import WorkerInfo
from veritee.chain.types import ModelId, TcbStatus, TeeKind, TokenAmount, WorkerStatus
from veritee.crypto.typed_data import Certificate
from veritee.exceptions import ConfigError
from veritee.gatekeeper.outcomes import CertificateBundle
from veritee.worker.registration import RegistrationPlan, plan_registration

ENCLAVE = "0x" + "ab" * 20
OPERATOR = "0x" + "0A" * 20
URL = "http://127.0.0.1:7400"


def _bundle(expiry: int = 2_000) -> CertificateBundle:
    certificate = Certificate(
        ENCLAVE, OPERATOR, b"\x01" * 32, b"\x02" * 32, 0, 0, b"\x03" * 32, 1_000, expiry
    )
    return CertificateBundle(certificate, (b"\x00" * 65,), ("0x" + "01" * 20,), {})


def _existing(**changes: object) -> WorkerInfo:
    info = WorkerInfo(
        enclave=ENCLAVE,
        operator=OPERATOR.lower(),
        measurement=b"\x02" * 32,
        measurement_id=1,
        tee_kind=TeeKind.SIMULATED,
        tcb_status=TcbStatus.UP_TO_DATE,
        expiry=1_500,
        price=TokenAmount(5),
        bond=TokenAmount(100),
        status=WorkerStatus.ACTIVE,
        unbond_at=0,
        models=(ModelId(1), ModelId(2)),
        x25519_key=b"\x01" * 32,
        quote_hash=b"\x03" * 32,
        issued_at=500,
        endpoint=URL,
    )
    return replace(info, **changes)  # type: ignore[arg-type]


def _plan(existing: WorkerInfo | None, bundle: CertificateBundle | None = None, **terms: object):  # type: ignore[no-untyped-def]
    arguments: dict[str, object] = {
        "operator": OPERATOR,
        "endpoint": URL,
        "price": 5,
        "models": (1, 2),
    }
    arguments.update(terms)
    return plan_registration(existing, bundle or _bundle(), **arguments)  # type: ignore[arg-type]


def test_a_new_enclave_registers() -> None:
    assert _plan(None) == RegistrationPlan(register=True)
    assert _plan(_existing(status=WorkerStatus.UNKNOWN)) == RegistrationPlan(register=True)


def test_a_known_enclave_renews_only_with_a_later_certificate() -> None:
    assert _plan(_existing()) == RegistrationPlan(renew=True)
    plan = _plan(_existing(expiry=2_000))
    assert plan.empty


def test_changed_terms_are_announced() -> None:
    plan = _plan(_existing(), endpoint="http://10.0.0.2:7400", price=7, models=(3,))
    assert plan == RegistrationPlan(
        renew=True, endpoint="http://10.0.0.2:7400", price=7, models=(3,)
    )


def test_an_unbonding_enclave_still_renews() -> None:
    assert _plan(_existing(status=WorkerStatus.UNBONDING)).renew


def test_another_operators_enclave_is_refused() -> None:
    with pytest.raises(ConfigError, match="registered to operator"):
        _plan(_existing(operator="0x" + "0b" * 20))


def test_a_withdrawn_enclave_is_refused() -> None:
    with pytest.raises(ConfigError, match="withdrawn"):
        _plan(_existing(status=WorkerStatus.WITHDRAWN))
