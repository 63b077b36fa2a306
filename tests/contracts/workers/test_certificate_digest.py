"""Workers.certificate_digest: the EIP-712 digest gatekeepers sign, bound to every field."""

import dataclasses
from typing import Any

import pytest

from tests.contracts.conftest import System, private_key
from veritee.crypto.typed_data import Certificate, certificate_digest


@pytest.fixture
def certificate(system: System) -> Certificate:
    return system.certificate(private_key("enclave:digest"), system.actor("operator:digest"))


def test_default_behavior(system: System, certificate: Certificate) -> None:
    domain = system.domain(system.workers, "veritee Workers")
    expected = certificate_digest(domain, certificate)
    assert system.workers.certificate_digest(certificate.as_tuple()) == expected


@pytest.mark.parametrize(
    "field, value",
    [
        ("enclave", "0x" + "11" * 20),
        ("operator", "0x" + "22" * 20),
        ("x25519_key", b"\x03" * 32),
        ("measurement", b"\x04" * 32),
        ("tee_kind", 1),
        ("tcb_status", 1),
        ("quote_hash", b"\x05" * 32),
        ("issued_at", 1),
        ("expiry", 2),
    ],
)
def test_every_field_is_bound(
    system: System, certificate: Certificate, field: str, value: Any
) -> None:
    changed = dataclasses.replace(certificate, **{field: value})
    digest = system.workers.certificate_digest(changed.as_tuple())
    assert digest != system.workers.certificate_digest(certificate.as_tuple())
    domain = system.domain(system.workers, "veritee Workers")
    assert digest == certificate_digest(domain, changed)


def test_bound_to_this_deployment(system: System, certificate: Certificate) -> None:
    other = system.workers.deployer.deploy(
        system.token.address, system.gatekeepers.address, system.policy.address, 1, 1
    )
    assert other.certificate_digest(certificate.as_tuple()) != (
        system.workers.certificate_digest(certificate.as_tuple())
    )
