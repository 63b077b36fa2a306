"""A worker not registered on-chain gets its sealing key by presenting its certificate.

A restarting worker needs ``seal:<measurement>`` to unseal its previous identity before it can
register again; it presents the certificate the gatekeepers just issued it. Each refusal names
its reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from eth_utils import keccak

from tests.integration.gatekeeper_world import LIFETIME, OPERATOR, Worker, World, build_world
from veritee.chain.types import TeeKind
from veritee.crypto.typed_data import certificate_digest, sign_digest
from veritee.exceptions import QuorumError
from veritee.gatekeeper.audit import verify_audit_log
from veritee.gatekeeper.outcomes import CertificateBundle, OutcomeKind
from veritee.gatekeeper.policy import Denial


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = build_world(tmp_path_factory.mktemp("named-key-certificate"))
    yield world
    world.local.stop()


@pytest.fixture
def world(built: World) -> Iterator[World]:
    snapshot = built.devnet.backend.snapshot()
    yield built
    built.devnet.backend.revert(snapshot)
    built.devnet.resync()


@pytest.fixture(scope="module")
def restarting(built: World) -> tuple[Worker, CertificateBundle]:
    """A worker of the same measurement, certified by the gatekeepers but not registered."""
    worker = Worker(keccak(b"restarting enclave"), built.worker.provider)
    request = worker.certify_request(built.devnet, built.devnet.sender(OPERATOR).address)
    with built.client() as client:
        return worker, client.request_certificate(request, 2)


def _sealing_key(world: World, worker: Worker, name: str | None = None, **options: Any) -> Any:
    with world.client() as client:
        return client.named_key(
            name=name or "seal:" + worker.provider.measurement().hex(),
            enclave_key=worker.enclave_key,
            x25519=worker.x25519,
            public_shares=world.public_shares(),
            threshold=2,
            wait_for_all=True,
            **options,
        )


def test_certificate_gets_the_sealing_key_before_registration(
    world: World, restarting: tuple[Worker, CertificateBundle]
) -> None:
    worker, bundle = restarting
    assert not world.devnet.network(0).workers.is_certified(worker.address)
    release = _sealing_key(world, worker, certificate=bundle)
    assert not release.failures and not release.liars
    # The same measurement's key, as the registered worker of that code gets it.
    assert release.key == _sealing_key(world, world.worker).key
    records = verify_audit_log(world.local.nodes[1].audit.path)
    mine = [r for r in records if r.get("worker") == worker.address]
    assert (mine[-1]["decision"], mine[-1]["via"]) == ("released", "certificate")
    _assert_denied(world, worker, Denial.WORKER_UNKNOWN)  # no certificate: as before


def _assert_denied(world: World, worker: Worker, reason: Denial, **options: Any) -> None:
    with pytest.raises(QuorumError) as caught:
        _sealing_key(world, worker, **options)
    outcomes = caught.value.outcomes  # type: ignore[attr-defined]
    assert {(o.kind, o.http_status, o.reason) for o in outcomes.values()} == {
        (OutcomeKind.DENIED, 403, reason.value)
    }


def test_expired_certificate_is_denied(
    world: World, restarting: tuple[Worker, CertificateBundle]
) -> None:
    worker, bundle = restarting
    world.devnet.backend.advance_time(LIFETIME + 1)
    _assert_denied(world, worker, Denial.CERTIFICATE_EXPIRED, certificate=bundle)


def test_certificate_of_another_enclave_is_denied(
    world: World, restarting: tuple[Worker, CertificateBundle]
) -> None:
    worker, _ = restarting
    other = world.bundle  # the registered worker's certificate
    _assert_denied(world, worker, Denial.CERTIFICATE_OTHER_ENCLAVE, certificate=other)


def test_key_of_another_measurement_is_denied(
    world: World, restarting: tuple[Worker, CertificateBundle]
) -> None:
    worker, bundle = restarting
    name = "seal:" + "cd" * 32
    _assert_denied(world, worker, Denial.MEASUREMENT_MISMATCH, name=name, certificate=bundle)


def test_measurement_dropped_by_policy_is_denied(
    world: World, restarting: tuple[Worker, CertificateBundle]
) -> None:
    worker, bundle = restarting
    policy = world.devnet.network(0).policy
    policy.set_measurement(TeeKind.SIMULATED, worker.provider.measurement(), False)
    _assert_denied(world, worker, Denial.CERTIFICATE_NOT_ADMITTED, certificate=bundle)


def test_agent_keys_still_need_registration(
    world: World, restarting: tuple[Worker, CertificateBundle]
) -> None:
    worker, bundle = restarting
    _assert_denied(world, worker, Denial.WORKER_UNKNOWN, name="agent:1", certificate=bundle)


def _stranger_signature(world: World, bundle: CertificateBundle) -> bytes:
    domain = world.devnet.network(0).workers.domain()
    return sign_digest(keccak(b"not a gatekeeper"), certificate_digest(domain, bundle.certificate))


@pytest.mark.parametrize(
    ("signatures", "reason"),
    [
        (lambda w, b: b.signatures[:1], Denial.CERTIFICATE_TOO_FEW_SIGNATURES),
        (lambda w, b: (b.signatures[0],) * 2, Denial.CERTIFICATE_DUPLICATE_SIGNER),
        (
            lambda w, b: (b.signatures[0], _stranger_signature(w, b)),
            Denial.CERTIFICATE_NOT_MEMBER,
        ),
    ],
    ids=["too-few", "duplicate", "non-member"],
)
def test_certificate_without_t_member_signatures_is_denied(
    world: World, restarting: tuple[Worker, CertificateBundle], signatures: Any, reason: Denial
) -> None:
    worker, bundle = restarting
    forged = dataclasses.replace(bundle, signatures=tuple(signatures(world, bundle)))
    _assert_denied(world, worker, reason, certificate=forged)
