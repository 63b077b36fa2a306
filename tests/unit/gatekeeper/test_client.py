"""GatekeeperClient against mock transports: combining, lying, refusing and silent gatekeepers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace

import httpx
import pytest
from eth_utils import keccak

from tests.unit.crypto.support import dealt_key_shares
from tests.unit.gatekeeper.support import CHAIN_ID, fake_deployment
from veritee.crypto.envelope import EnvelopeContext, X25519KeyPair, seal
from veritee.crypto.secp256k1 import mul, mul_base
from veritee.crypto.threshold import CapsuleContext, data_key_from_point, make_share
from veritee.crypto.typed_data import (
    Certificate,
    Domain,
    address_of,
    certificate_digest,
    sign_digest,
)
from veritee.exceptions import QuorumError
from veritee.gatekeeper.certificates import CertificateGrant, CertifyRequest
from veritee.gatekeeper.client import GatekeeperClient, SyncGatekeeperClient
from veritee.gatekeeper.outcomes import GatekeeperEndpoint, OutcomeKind
from veritee.gatekeeper.wire import ShareGrant

DEPLOYMENT = fake_deployment()
CAPSULES = DEPLOYMENT.address("Capsules")
GATEKEEPER_KEYS = [keccak(text=f"mock gatekeeper {i}") for i in range(1, 4)]
ENDPOINTS = [
    GatekeeperEndpoint(i, address_of(k), f"http://gk{i}.test")
    for i, k in enumerate(GATEKEEPER_KEYS, 1)
]
ENCLAVE_KEY = keccak(b"mock enclave")
SECRET, KEY_SHARES = dealt_key_shares(2, 3, seed="client")
PUBLIC = dict(KEY_SHARES[0].public_shares)
R = mul_base(12345)
CAPSULE_ID = 7
Handler = Callable[[int, httpx.Request], httpx.Response]


def _honest(index: int, request: httpx.Request, worker_key: bytes) -> httpx.Response:
    context = CapsuleContext.for_ephemeral(R, CHAIN_ID, CAPSULES)
    share = make_share(KEY_SHARES[index - 1], R, context.encode())
    nonce = bytes.fromhex(request.headers["X-Veritee-Nonce"][2:])
    envelope = EnvelopeContext("capsule-share", CHAIN_ID, CAPSULES, CAPSULE_ID)
    sealed = seal(worker_key, share.to_bytes(), envelope, aad=nonce)
    return httpx.Response(200, json=ShareGrant(index, sealed).to_json())


def _client(handler: Handler) -> SyncGatekeeperClient:
    def route(request: httpx.Request) -> httpx.Response:
        return handler(int(request.url.host[2]), request)

    return SyncGatekeeperClient(ENDPOINTS, DEPLOYMENT, transport=httpx.MockTransport(route))


def _capsule_key(client: SyncGatekeeperClient, x25519: X25519KeyPair, **changes: object):  # type: ignore[no-untyped-def]
    arguments: dict[str, object] = {
        "job_id": 1,
        "capsule_id": CAPSULE_ID,
        "enclave_key": ENCLAVE_KEY,
        "x25519": x25519,
        "capsule_r": R,
        "public_shares": PUBLIC,
        "threshold": 2,
        "wait_for_all": True,
    }
    arguments.update(changes)
    return client.capsule_key(**arguments)


def test_combines_valid_shares_and_reports_a_liar() -> None:
    x25519 = X25519KeyPair.generate()

    def handler(index: int, request: httpx.Request) -> httpx.Response:
        response = _honest(index, request, x25519.public_bytes())
        if index == 2:  # a share of another point, with a proof for it: the proof fails for R
            other = make_share(KEY_SHARES[1], mul_base(99), b"x")
            nonce = bytes.fromhex(request.headers["X-Veritee-Nonce"][2:])
            envelope = EnvelopeContext("capsule-share", CHAIN_ID, CAPSULES, CAPSULE_ID)
            sealed = seal(x25519.public_bytes(), other.to_bytes(), envelope, aad=nonce)
            return httpx.Response(200, json=ShareGrant(2, sealed).to_json())
        return response

    with _client(handler) as client:
        release = _capsule_key(client, x25519)
    expected = data_key_from_point(
        mul(SECRET, R), CapsuleContext.for_ephemeral(R, CHAIN_ID, CAPSULES)
    )
    assert release.key == expected
    assert release.used == (1, 3)
    assert [(o.index, o.kind) for o in release.liars] == [(2, OutcomeKind.LIED)]


def test_refusals_and_silence_are_named_in_the_quorum_error() -> None:
    x25519 = X25519KeyPair.generate()

    def handler(index: int, request: httpx.Request) -> httpx.Response:
        if index == 1:
            raise httpx.ConnectError("connection refused", request=request)
        if index == 2:
            return httpx.Response(500, text="boom")
        return httpx.Response(403, json={"error": "denied", "reason": "job is not assigned"})

    with _client(handler) as client, pytest.raises(QuorumError) as caught:
        _capsule_key(client, x25519)
    outcomes = caught.value.outcomes
    assert [outcomes[i].kind for i in (1, 2, 3)] == [  # type: ignore[attr-defined]
        OutcomeKind.DOWN,
        OutcomeKind.UNAVAILABLE,
        OutcomeKind.DENIED,
    ]
    message = str(caught.value)
    assert "only 0 valid key shares, 2 needed" in message
    assert "down (ConnectError: connection refused)" in message
    assert "unavailable (500: Internal Server Error)" in message
    assert "denied (403: job is not assigned)" in message


def test_unreadable_answers_are_failures_not_keys() -> None:
    x25519 = X25519KeyPair.generate()

    def handler(index: int, request: httpx.Request) -> httpx.Response:
        if index == 3:
            return httpx.Response(200, json={"gatekeeper": 3, "envelope": "0x0102"})
        return _honest(index, request, x25519.public_bytes())

    with _client(handler) as client:
        release = _capsule_key(client, x25519)
    assert [(o.index, o.kind) for o in release.failures] == [(3, OutcomeKind.BAD_ANSWER)]


def test_stops_at_threshold_without_waiting() -> None:
    x25519 = X25519KeyPair.generate()

    async def handler(request: httpx.Request) -> httpx.Response:
        index = int(request.url.host[2])
        if index == 3:
            await asyncio.sleep(30)  # never awaited: the client has its two shares by then
        return _honest(index, request, x25519.public_bytes())

    client = SyncGatekeeperClient(ENDPOINTS, DEPLOYMENT, transport=httpx.MockTransport(handler))
    with client:
        started = time.monotonic()
        release = _capsule_key(client, x25519, wait_for_all=False)
    assert time.monotonic() - started < 10
    assert release.used == (1, 2)
    assert release.outcomes[3].kind is OutcomeKind.NOT_NEEDED


def _grant(index: int, certificate: Certificate, key: bytes | None = None) -> CertificateGrant:
    domain = Domain("veritee Workers", "1", CHAIN_ID, DEPLOYMENT.address("Workers"))
    signer_key = key or GATEKEEPER_KEYS[index - 1]
    signature = sign_digest(signer_key, certificate_digest(domain, certificate))
    return CertificateGrant(certificate, signature, ENDPOINTS[index - 1].address)


CERTIFICATE = Certificate(
    address_of(ENCLAVE_KEY),
    "0x" + "33" * 20,
    b"\x01" * 32,
    b"\x02" * 32,
    0,
    0,
    b"\x03" * 32,
    10,
    20,
)
REQUEST = CertifyRequest(
    b"quote", 0, CERTIFICATE.enclave, b"\x01" * 32, CERTIFICATE.operator, b"\x04" * 32
)  # type: ignore[arg-type]


def test_certificate_signatures_sorted_by_signer_and_checked() -> None:
    def handler(index: int, request: httpx.Request) -> httpx.Response:
        key = keccak(b"impostor") if index == 2 else None
        return httpx.Response(200, json=_grant(index, CERTIFICATE, key).to_json())

    with _client(handler) as client:
        bundle = client.request_certificate(REQUEST, 2)
    assert len(bundle.signers) == 2
    assert list(bundle.signers) == sorted(bundle.signers, key=lambda a: int(a, 16))
    assert bundle.outcomes[2].kind is OutcomeKind.BAD_ANSWER
    assert "not signed by the gatekeeper" in (bundle.outcomes[2].reason or "")


def test_certificates_must_agree_on_every_field() -> None:
    def handler(index: int, request: httpx.Request) -> httpx.Response:
        certificate = replace(CERTIFICATE, expiry=20 + index)
        return httpx.Response(200, json=_grant(index, certificate).to_json())

    with (
        _client(handler) as client,
        pytest.raises(QuorumError, match="only 1 matching certificate"),
    ):
        client.request_certificate(REQUEST, 2)


def test_async_client_names_unready_gatekeepers() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(503, json={"reason": "no key"}))

    async def ask() -> None:
        async with GatekeeperClient(ENDPOINTS, DEPLOYMENT, transport=transport) as client:
            await client.named_key(
                name="seal:" + "00" * 32,
                enclave_key=ENCLAVE_KEY,
                x25519=X25519KeyPair.generate(),
                public_shares=PUBLIC,
                threshold=2,
            )

    with pytest.raises(QuorumError, match=r"unavailable \(503: no key\)"):
        asyncio.run(ask())
