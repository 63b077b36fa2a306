"""Workers.register: a certified, bonded worker joins the registry."""

import dataclasses
from typing import Any

import boa
import pytest

from tests.contracts.conftest import (
    DAY,
    KIND_SIMULATED,
    KIND_TDX,
    MAX_LIFETIME,
    MEASUREMENT,
    MIN_BOND,
    TOKEN,
    System,
    private_key,
)
from tests.contracts.workers.conftest import events, now, prepare, register

ZERO_ADDRESS = "0x" + "00" * 20


def test_default_behavior(system: System) -> None:
    registration = prepare(system, bond=MIN_BOND + 5 * TOKEN)
    certificate = registration.certificate
    operator = registration.operator
    register(
        system,
        registration,
        endpoint="https://worker.example:8443",
        price=7 * TOKEN,
        models=[3, 9],
        bond=MIN_BOND + 5 * TOKEN,
    )

    (registered,) = events(system.workers, "WorkerRegistered")
    assert registered.worker == certificate.enclave
    assert registered.operator == operator
    assert registered.measurement == certificate.measurement
    assert registered.tee_kind == certificate.tee_kind
    assert registered.tcb_status == certificate.tcb_status
    assert registered.x25519_key == certificate.x25519_key
    assert registered.quote_hash == certificate.quote_hash
    assert registered.issued_at == certificate.issued_at
    assert registered.expiry == certificate.expiry
    assert registered.endpoint == "https://worker.example:8443"
    assert registered.price == 7 * TOKEN
    assert list(registered.models) == [3, 9]
    assert registered.bond == MIN_BOND + 5 * TOKEN
    assert events(system.workers, "ModelsUpdated") == []

    worker = system.workers.workers(certificate.enclave)
    assert worker.operator == operator
    assert worker.measurement == certificate.measurement
    assert worker.measurement_id == system.policy.measurement_id(
        certificate.tee_kind, certificate.measurement
    )
    assert worker.tee_kind == certificate.tee_kind
    assert worker.tcb_status == certificate.tcb_status
    assert worker.expiry == certificate.expiry
    assert list(worker.models) == [3, 9]
    assert worker.price == 7 * TOKEN
    assert worker.bond == MIN_BOND + 5 * TOKEN
    assert worker.status == 1
    assert worker.unbond_at == 0
    assert system.workers.models(certificate.enclave) == [3, 9]
    assert system.workers.serves(certificate.enclave, 3)
    assert system.workers.serves(certificate.enclave, 9)
    assert not system.workers.serves(certificate.enclave, 4)
    assert system.workers.is_certified(certificate.enclave)


def test_bond_is_transferred(system: System) -> None:
    registration = prepare(system, bond=MIN_BOND)
    system.fund(registration.operator, 3 * TOKEN)  # the operator holds more than the bond
    assert system.token.balanceOf(registration.operator) == MIN_BOND + 3 * TOKEN
    held = system.token.balanceOf(system.workers.address)

    register(system, registration, bond=MIN_BOND)

    transfers = [log for log in system.workers.get_logs() if type(log).__name__ == "Transfer"]
    assert len(transfers) == 1
    assert transfers[0].address == system.token.address
    assert transfers[0].sender == registration.operator
    assert transfers[0].receiver == system.workers.address
    assert transfers[0].value == MIN_BOND
    assert system.token.balanceOf(registration.operator) == 3 * TOKEN
    assert system.token.balanceOf(system.workers.address) == held + MIN_BOND


def test_role_access(system: System) -> None:
    registration = prepare(system)
    # Anyone holding the certificate may not register it: only its operator may.
    for stranger in (system.owner, system.actor("stranger"), system.gatekeepers.address):
        with boa.reverts("Workers: caller is not the certificate operator"):
            register(system, registration, sender=stranger)
    register(system, registration)
    assert system.workers.workers(registration.worker).operator == registration.operator


def test_operator_cannot_be_swapped(system: System) -> None:
    # A stranger who rewrites the operator field invalidates the gatekeepers' signatures.
    registration = prepare(system)
    thief = system.actor("thief")
    system.fund(thief, MIN_BOND)
    system.approve(thief, system.workers, MIN_BOND)
    stolen = dataclasses.replace(registration, operator=thief)
    stolen.certificate = dataclasses.replace(registration.certificate, operator=thief)
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        register(system, stolen)


def test_zero_enclave(system: System) -> None:
    registration = prepare(system)
    registration.certificate = dataclasses.replace(registration.certificate, enclave=ZERO_ADDRESS)
    with boa.reverts("Workers: zero enclave address"):
        register(system, registration)


def test_already_registered(system: System) -> None:
    registration = prepare(system)
    register(system, registration)
    again = prepare(system)  # funds and approves a second bond
    with boa.reverts("Workers: worker already registered"):
        register(system, again)


def test_bond_below_minimum(system: System) -> None:
    registration = prepare(system)
    with boa.reverts("Workers: bond below minimum"):
        register(system, registration, bond=MIN_BOND - 1)


def test_bond_not_approved(system: System) -> None:
    registration = prepare(system, bond=MIN_BOND - 1)
    system.fund(registration.operator, 1)
    with boa.reverts("erc20: insufficient allowance"):
        register(system, registration, bond=MIN_BOND)


def test_issued_in_the_future(system: System) -> None:
    registration = prepare(system, issued_at=now() + 1, expiry=now() + DAY)
    with boa.reverts("Workers: certificate issued in the future"):
        register(system, registration)


@pytest.mark.parametrize("expiry_offset", [0, -1])
def test_certificate_expired(system: System, expiry_offset: int) -> None:
    registration = prepare(system, issued_at=now() - DAY, expiry=now() + expiry_offset)
    with boa.reverts("Workers: certificate expired"):
        register(system, registration)


def test_lifetime_too_long(system: System) -> None:
    registration = prepare(system, issued_at=now(), expiry=now() + MAX_LIFETIME + 1)
    with boa.reverts("TeePolicy: certificate lifetime too long"):
        register(system, registration)


def test_lifetime_at_policy_maximum(system: System) -> None:
    registration = prepare(system, issued_at=now() - DAY, expiry=now() - DAY + MAX_LIFETIME)
    register(system, registration)
    assert system.workers.workers(registration.worker).expiry == now() - DAY + MAX_LIFETIME


def test_measurement_not_allowed(system: System) -> None:
    registration = prepare(system, measurement=b"\x42" * 32)
    with boa.reverts("TeePolicy: measurement not allowed"):
        register(system, registration)


def test_measurement_not_allowed_for_its_kind(system: System) -> None:
    # MEASUREMENT is allowed for simulated quotes only, not for TDX.
    registration = prepare(system, tee_kind=KIND_TDX)
    with boa.reverts("TeePolicy: measurement not allowed"):
        register(system, registration)
    with boa.env.prank(system.owner):
        system.policy.set_measurement(KIND_TDX, MEASUREMENT, True)
    register(system, registration)
    assert system.workers.workers(registration.worker).tee_kind == KIND_TDX


def test_unknown_tee_kind(system: System) -> None:
    registration = prepare(system, tee_kind=4)
    with boa.reverts("TeePolicy: unknown TEE kind"):
        register(system, registration)


def test_simulated_quotes_not_accepted(system: System) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_allow_simulated(False)
        system.policy.set_measurement(KIND_TDX, MEASUREMENT, True)
    simulated = prepare(system, "simulated", tee_kind=KIND_SIMULATED)
    with boa.reverts("TeePolicy: simulated quotes not accepted"):
        register(system, simulated)
    # Real TEE kinds are unaffected by the switch.
    tdx = prepare(system, "tdx", tee_kind=KIND_TDX)
    register(system, tdx)
    assert system.workers.is_certified(tdx.worker)


def test_tcb_status_not_accepted(system: System) -> None:
    registration = prepare(system, tcb_status=4)  # OutOfDate
    with boa.reverts("TeePolicy: TCB status not accepted"):
        register(system, registration)
    with boa.env.prank(system.owner):
        system.policy.set_tcb_accepted(4, True)
    register(system, registration)
    assert system.workers.workers(registration.worker).tcb_status == 4


def test_too_few_signatures(system: System) -> None:
    registration = prepare(system, keys=system.gatekeeper_keys[:1])
    with boa.reverts("Gatekeepers: too few signatures"):
        register(system, registration)


def test_no_signatures(system: System) -> None:
    registration = prepare(system, keys=[])
    with boa.reverts("Gatekeepers: too few signatures"):
        register(system, registration)


def test_signer_not_a_gatekeeper(system: System) -> None:
    keys = [system.gatekeeper_keys[0], private_key("not-a-gatekeeper")]
    registration = prepare(system, keys=keys)
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        register(system, registration)


def test_duplicate_signer(system: System) -> None:
    keys = [system.gatekeeper_keys[0], system.gatekeeper_keys[0]]
    registration = prepare(system, keys=keys)
    with boa.reverts("Gatekeepers: duplicate signer"):
        register(system, registration)


def test_any_threshold_subset_of_gatekeepers(system: System) -> None:
    keys = [system.gatekeeper_keys[1], system.gatekeeper_keys[2]]
    registration = prepare(system, keys=keys)
    register(system, registration)
    assert system.workers.workers(registration.worker).status == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("x25519_key", b"\x01" * 32),
        ("quote_hash", b"\x02" * 32),
        ("tcb_status", 1),  # accepted by policy below, but not what the gatekeepers signed
        ("issued_at", -1),  # time fields: shifted from what was signed
        ("expiry", DAY),
    ],
)
def test_tampered_certificate(system: System, field: str, value: Any) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_tcb_accepted(1, True)
    registration = prepare(system)
    if field in ("issued_at", "expiry"):
        value += getattr(registration.certificate, field)
    registration.certificate = dataclasses.replace(registration.certificate, **{field: value})
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        register(system, registration)
