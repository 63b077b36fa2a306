"""The JSON vocabulary: round trips, and a named field for every malformed input."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from tests.unit.gatekeeper.support import CHAIN_ID
from veritee.attestation.types import EventLogEntry
from veritee.chain.devnet import dev_gatekeeper_keys
from veritee.chain.types import TeeKind
from veritee.crypto.typed_data import Certificate, address_of
from veritee.exceptions import CeremonyError, MalformedRequest
from veritee.gatekeeper.auth import request_domain, sign_request
from veritee.gatekeeper.certificates import CertificateGrant, CertifyRequest
from veritee.gatekeeper.dkg_messages import DkgKind, SignedDkgMessage, dkg_domain
from veritee.gatekeeper.wire import (
    CapsuleShareBody,
    NamedKeyBody,
    request_from_headers,
    request_headers,
)

WORKER = address_of(keccak(b"worker"))


def test_share_bodies_round_trip_canonically() -> None:
    body = CapsuleShareBody(3, 4, WORKER)
    assert CapsuleShareBody.parse(body.encode()) == body
    assert NamedKeyBody.parse(NamedKeyBody("seal:ab", WORKER).encode()) == NamedKeyBody(
        "seal:ab", WORKER
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[1]", "body is not a JSON object"),
        (b'{"capsule_id": 1, "worker": "0x00"}', "missing field job_id"),
        (b'{"job_id": -1, "capsule_id": 1, "worker": "0x00"}', "field job_id must be an integer"),
        (b'{"job_id": true, "capsule_id": 1, "worker": "0x00"}', "field job_id must be an integer"),
        (b'{"job_id": 1, "capsule_id": 1, "worker": "0x00"}', "field worker is not an address"),
    ],
)
def test_malformed_bodies_name_the_field(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedRequest) as caught:
        CapsuleShareBody.parse(body)
    assert caught.value.reason.startswith(reason)


def test_signed_request_travels_in_headers() -> None:
    key = keccak(b"worker")
    body = CapsuleShareBody(1, 2, WORKER).encode()
    signed = sign_request(
        key,
        request_domain(CHAIN_ID, "0x" + "02" * 20),
        worker=WORKER,
        action="capsule-share",
        body=body,
        gatekeeper="0x" + "aa" * 20,
    )
    assert request_from_headers(request_headers(signed), body) == signed
    headers = request_headers(signed)
    del headers["X-Veritee-Nonce"]
    with pytest.raises(MalformedRequest, match="missing header X-Veritee-Nonce"):
        request_from_headers(headers, body)


def test_certify_request_and_grant_round_trip() -> None:
    entry = EventLogEntry(3, 1, b"\x05" * 48, "app-id", b"\x01")
    request = CertifyRequest(
        b"q", TeeKind.DSTACK, WORKER, b"\x01" * 32, WORKER, b"\x02" * 32, 60, (entry,)
    )
    assert CertifyRequest.from_json(request.to_json()) == request
    certificate = Certificate(WORKER, WORKER, b"\x01" * 32, b"\x02" * 32, 1, 0, b"\x03" * 32, 1, 2)
    grant = CertificateGrant(certificate, b"\x04" * 65, WORKER)
    assert CertificateGrant.from_json(grant.to_json()) == grant
    with pytest.raises(MalformedRequest, match="tee_kind"):
        CertifyRequest.from_json({**request.to_json(), "tee_kind": 9})


def test_dkg_messages_round_trip_and_verify() -> None:
    keys = dev_gatekeeper_keys(2)
    members = [address_of(k) for k in keys]
    domain = dkg_domain(CHAIN_ID, "0x" + "02" * 20)
    message = SignedDkgMessage.sign(
        keys[1], domain, kind=DkgKind.ANNOUNCE, epoch=3, sender=2, payload=b"k"
    )
    assert SignedDkgMessage.from_json(message.to_json()) == message
    message.verify(domain, members, kind=DkgKind.ANNOUNCE, epoch=3)
    with pytest.raises(CeremonyError, match="expected a DEAL"):
        message.verify(domain, members, kind=DkgKind.DEAL, epoch=3)
    with pytest.raises(CeremonyError, match="not a member"):
        message.verify(domain, members[:1], kind=DkgKind.ANNOUNCE, epoch=3)
    with pytest.raises(ValueError, match="malformed DKG message"):
        SignedDkgMessage.from_json({**message.to_json(), "session": "0x00"})


def test_request_digest_matches_eth_account_typed_data() -> None:
    from eth_account.messages import _hash_eip191_message, encode_typed_data

    from veritee.gatekeeper.auth import SignedRequest

    request = SignedRequest(
        WORKER, "capsule-share", b"\x07" * 32, WORKER, 1_800_000_000, b"\x09" * 32, b""
    )
    domain = request_domain(CHAIN_ID, "0x" + "02" * 20)
    message = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "GatekeeperRequest": [
                {"name": "worker", "type": "address"},
                {"name": "action", "type": "string"},
                {"name": "bodyHash", "type": "bytes32"},
                {"name": "gatekeeper", "type": "address"},
                {"name": "issuedAt", "type": "uint64"},
                {"name": "nonce", "type": "bytes32"},
            ],
        },
        "primaryType": "GatekeeperRequest",
        "domain": {
            "name": domain.name,
            "version": domain.version,
            "chainId": domain.chain_id,
            "verifyingContract": domain.verifying_contract,
        },
        "message": {
            "worker": WORKER,
            "action": "capsule-share",
            "bodyHash": b"\x07" * 32,
            "gatekeeper": WORKER,
            "issuedAt": 1_800_000_000,
            "nonce": b"\x09" * 32,
        },
    }
    expected = _hash_eip191_message(encode_typed_data(full_message=message))
    assert request.digest(domain) == expected
