"""Workers.renew: a worker swaps its certificate for a later-expiring one of the same enclave."""

import dataclasses
from typing import Any

import boa
import pytest

from tests.contracts.conftest import DAY, KIND_TDX, MAX_LIFETIME, MEASUREMENT, System
from tests.contracts.workers.conftest import Registration, events, now, renewal


def renew(system: System, registration: Registration, *args: object, sender: str = "") -> None:
    with boa.env.prank(sender or registration.operator):
        system.workers.renew(*args)


def test_default_behavior(system: System, registration: Registration) -> None:
    before = system.workers.workers(registration.worker)
    boa.env.time_travel(seconds=DAY)
    with boa.env.prank(system.owner):
        system.policy.set_tcb_accepted(1, True)
    certificate, signatures = renewal(
        system, registration, tcb_status=1, quote_hash=b"\x77" * 32, expiry=now() + 20 * DAY
    )
    renew(system, registration, certificate.as_tuple(), signatures)

    (renewed,) = events(system.workers, "CertificateRenewed")
    assert renewed.worker == registration.worker
    assert renewed.tcb_status == 1
    assert renewed.quote_hash == b"\x77" * 32
    assert renewed.x25519_key == certificate.x25519_key
    assert renewed.issued_at == now()
    assert renewed.expiry == now() + 20 * DAY

    after = system.workers.workers(registration.worker)
    assert after.tcb_status == 1
    assert after.expiry == now() + 20 * DAY
    # Everything that is not part of the certificate's renewable fields stays.
    for name in ("operator", "measurement", "measurement_id", "tee_kind", "price", "bond"):
        assert getattr(after, name) == getattr(before, name)
    assert list(after.models) == list(before.models)
    assert after.status == 1


def test_renewal_revives_an_expired_worker(system: System, registration: Registration) -> None:
    boa.env.time_travel(seconds=8 * DAY)
    with boa.reverts("Workers: certificate expired"):
        system.workers.check_certified(registration.worker)
    certificate, signatures = renewal(system, registration)
    renew(system, registration, certificate.as_tuple(), signatures)
    assert system.workers.check_certified(registration.worker)
    assert system.workers.is_certified(registration.worker)


def test_role_access(system: System, registration: Registration) -> None:
    boa.env.time_travel(seconds=DAY)
    certificate, signatures = renewal(system, registration)
    for stranger in (system.owner, system.actor("stranger")):
        with boa.reverts("Workers: caller is not the operator"):
            renew(system, registration, certificate.as_tuple(), signatures, sender=stranger)
    renew(system, registration, certificate.as_tuple(), signatures)
    assert system.workers.workers(registration.worker).expiry == certificate.expiry


def test_unknown_worker(system: System, registration: Registration) -> None:
    boa.env.time_travel(seconds=DAY)
    certificate, signatures = renewal(system, registration)
    stray = dataclasses.replace(certificate, enclave=system.actor("unregistered-enclave"))
    with boa.reverts("Workers: unknown worker"):
        renew(system, registration, stray.as_tuple(), signatures)


def test_unbonding_worker_can_renew(system: System, registration: Registration) -> None:
    with boa.env.prank(registration.operator):
        system.workers.begin_unbonding(registration.worker)
    boa.env.time_travel(seconds=DAY)
    certificate, signatures = renewal(system, registration)
    renew(system, registration, certificate.as_tuple(), signatures)
    assert system.workers.workers(registration.worker).expiry == certificate.expiry
    assert system.workers.workers(registration.worker).status == 2


def test_withdrawn_worker_cannot_renew(system: System, registration: Registration) -> None:
    with boa.env.prank(registration.operator):
        system.workers.begin_unbonding(registration.worker)
    boa.env.time_travel(seconds=8 * DAY)
    with boa.env.prank(registration.operator):
        system.workers.withdraw_bond(registration.worker)
    certificate, signatures = renewal(system, registration)
    with boa.reverts("Workers: worker not registered"):
        renew(system, registration, certificate.as_tuple(), signatures)


def test_caller_is_not_the_certificate_operator(system: System, registration: Registration) -> None:
    boa.env.time_travel(seconds=DAY)
    certificate, signatures = renewal(system, registration)
    foreign = dataclasses.replace(certificate, operator=system.actor("other-operator"))
    with boa.reverts("Workers: caller is not the certificate operator"):
        renew(system, registration, foreign.as_tuple(), signatures)


@pytest.mark.parametrize(
    "field, value",
    [("measurement", b"\x06" * 32), ("tee_kind", KIND_TDX)],
)
def test_certificate_for_another_enclave(
    system: System, registration: Registration, field: str, value: Any
) -> None:
    with boa.env.prank(system.owner):
        system.policy.set_measurement(KIND_TDX, MEASUREMENT, True)
        system.policy.set_measurement(0, b"\x06" * 32, True)
    boa.env.time_travel(seconds=DAY)
    certificate, signatures = renewal(system, registration, **{field: value})
    with boa.reverts("Workers: certificate is for another enclave"):
        renew(system, registration, certificate.as_tuple(), signatures)


@pytest.mark.parametrize("earlier", [0, 1])
def test_certificate_not_newer(system: System, registration: Registration, earlier: int) -> None:
    original = registration.certificate
    boa.env.time_travel(seconds=DAY)
    certificate, signatures = renewal(system, registration, expiry=original.expiry - earlier)
    with boa.reverts("Workers: certificate not newer"):
        renew(system, registration, certificate.as_tuple(), signatures)


def test_original_certificate_cannot_be_replayed(
    system: System, registration: Registration
) -> None:
    with boa.reverts("Workers: certificate not newer"):
        renew(system, registration, registration.certificate.as_tuple(), registration.signatures)


def test_certificate_checks_apply(system: System, registration: Registration) -> None:
    boa.env.time_travel(seconds=DAY)
    certificate, signatures = renewal(system, registration, expiry=now() + MAX_LIFETIME + 1)
    with boa.reverts("TeePolicy: certificate lifetime too long"):
        renew(system, registration, certificate.as_tuple(), signatures)
    certificate, signatures = renewal(system, registration, keys=system.gatekeeper_keys[:1])
    with boa.reverts("Gatekeepers: too few signatures"):
        renew(system, registration, certificate.as_tuple(), signatures)
    certificate, signatures = renewal(system, registration, issued_at=now() + 1)
    with boa.reverts("Workers: certificate issued in the future"):
        renew(system, registration, certificate.as_tuple(), signatures)


def test_policy_change_blocks_renewal(system: System, registration: Registration) -> None:
    boa.env.time_travel(seconds=DAY)
    certificate, signatures = renewal(system, registration)
    with boa.env.prank(system.owner):
        system.policy.set_measurement(0, MEASUREMENT, False)
    with boa.reverts("TeePolicy: measurement not allowed"):
        renew(system, registration, certificate.as_tuple(), signatures)


def test_tampered_renewal(system: System, registration: Registration) -> None:
    boa.env.time_travel(seconds=DAY)
    certificate, signatures = renewal(system, registration)
    extended = dataclasses.replace(certificate, expiry=certificate.expiry + DAY)
    with boa.reverts("Gatekeepers: signer is not a gatekeeper"):
        renew(system, registration, extended.as_tuple(), signatures)
