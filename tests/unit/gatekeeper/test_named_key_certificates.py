"""A sealing key for a worker not yet registered, on the strength of its gatekeeper certificate.

The pure decision on plain facts (every denial with its reason), and the optional certificate
in the named-key request body (absent: the old body, byte for byte; malformed: refused).
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from veritee.crypto.typed_data import Certificate
from veritee.exceptions import MalformedRequest
from veritee.gatekeeper.policy import CertificateFacts, Decision, Denial, decide_named_key
from veritee.gatekeeper.wire import NamedKeyBody

ENCLAVE = "0x" + "11" * 20
OTHER = "0x" + "22" * 20
MEMBERS = ("0x" + "a1" * 20, "0x" + "a2" * 20, "0x" + "a3" * 20)
STRANGER = "0x" + "b1" * 20
NOW = 1_800_000_000
MEASUREMENT = bytes.fromhex("ab" * 32)
NAME = "seal:" + MEASUREMENT.hex()
FACTS = CertificateFacts(
    enclave=ENCLAVE,
    measurement=MEASUREMENT,
    expiry=NOW + 100,
    admitted=True,
    signers=MEMBERS[:2],
    members=MEMBERS,
    threshold=2,
)


def _decide(name: str = NAME, certified: bool = False, **changes: object) -> Decision:
    facts = dataclasses.replace(FACTS, **changes)  # type: ignore[arg-type]
    return decide_named_key(
        name=name, worker=None, certified=certified, asker=ENCLAVE, certificate=facts, now=NOW
    )


def test_a_valid_certificate_gets_the_sealing_key_before_registration() -> None:
    assert _decide().allowed
    assert _decide(signers=MEMBERS).allowed
    # Extra signatures that do not count do not spoil t good ones.
    assert _decide(signers=(MEMBERS[0], STRANGER, None, MEMBERS[0], MEMBERS[2])).allowed


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"enclave": OTHER}, Denial.CERTIFICATE_OTHER_ENCLAVE),
        ({"expiry": NOW}, Denial.CERTIFICATE_EXPIRED),
        ({"measurement": bytes(32)}, Denial.MEASUREMENT_MISMATCH),
        ({"admitted": False}, Denial.CERTIFICATE_NOT_ADMITTED),
        ({"signers": MEMBERS[:1]}, Denial.CERTIFICATE_TOO_FEW_SIGNATURES),
        ({"signers": (MEMBERS[0], MEMBERS[0])}, Denial.CERTIFICATE_DUPLICATE_SIGNER),
        ({"signers": (MEMBERS[0], STRANGER)}, Denial.CERTIFICATE_NOT_MEMBER),
        ({"signers": (MEMBERS[0], None)}, Denial.CERTIFICATE_BAD_SIGNATURE),
        ({"signers": MEMBERS[:2], "threshold": 3}, Denial.CERTIFICATE_TOO_FEW_SIGNATURES),
    ],
    ids=lambda value: value.name if isinstance(value, Denial) else "",
)
def test_each_flaw_of_a_certificate_is_named(changes: dict[str, object], reason: Denial) -> None:
    assert _decide(**changes) == Decision.deny(reason)


def test_agent_keys_still_need_on_chain_certification() -> None:
    assert _decide(name="agent:7") == Decision.deny(Denial.WORKER_UNKNOWN)


def test_a_worker_certified_on_chain_follows_the_on_chain_path() -> None:
    # Certified on-chain with no record is impossible; the certificate is not consulted then.
    assert _decide(certified=True, enclave=OTHER) == Decision.deny(Denial.WORKER_UNKNOWN)
    assert decide_named_key(name=NAME, worker=None, certified=False) == Decision.deny(
        Denial.WORKER_UNKNOWN
    )


CERTIFICATE = Certificate(
    enclave=ENCLAVE,
    operator=OTHER,
    x25519_key=b"\x05" * 32,
    measurement=MEASUREMENT,
    tee_kind=3,
    tcb_status=0,
    quote_hash=b"\x06" * 32,
    issued_at=NOW - 10,
    expiry=NOW + 100,
)


def test_body_without_a_certificate_is_unchanged() -> None:
    body = NamedKeyBody(NAME, ENCLAVE)
    assert json.loads(body.encode()) == {"name": NAME, "worker": ENCLAVE}
    assert NamedKeyBody.parse(body.encode()) == body


def test_body_with_a_certificate_round_trips() -> None:
    body = NamedKeyBody(NAME, ENCLAVE, CERTIFICATE, (b"\x07" * 65, b"\x08" * 65))
    assert NamedKeyBody.parse(body.encode()) == body


def _with(**changes: object) -> bytes:
    document = json.loads(NamedKeyBody(NAME, ENCLAVE, CERTIFICATE, (b"\x07" * 65,)).encode())
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_with(signatures=[]), "field signatures must be a list of 1 to 32 signatures"),
        (_with(signatures=["0x" + "07" * 65] * 33), "field signatures must be a list of 1 to 32"),
        (_with(signatures="0x07"), "field signatures must be a list"),
        (_with(signatures=["0x" + "07" * 64]), "field signature must be 65 bytes"),
        (_with(certificate=None), "field certificate is not an object"),
        (_with(certificate={"enclave": ENCLAVE}), "missing field operator"),
        (
            json.dumps({"name": NAME, "worker": ENCLAVE, "signatures": []}).encode(),
            "missing field certificate",
        ),
    ],
)
def test_malformed_certificate_fields_are_refused(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedRequest) as caught:
        NamedKeyBody.parse(body)
    assert caught.value.reason.startswith(reason)
