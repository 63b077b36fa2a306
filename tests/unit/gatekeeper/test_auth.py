"""Signed gatekeeper requests: accepted once, refused with a reason for every defect."""

from __future__ import annotations

import dataclasses

import pytest
from eth_utils import keccak

from veritee.crypto.typed_data import address_of
from veritee.exceptions import SignatureError
from veritee.gatekeeper.auth import (
    ReplayGuard,
    RequestSigner,
    request_domain,
    sign_request,
    verify_request,
)

KEY = keccak(b"enclave key")
WORKER = address_of(KEY)
GATEKEEPER = "0x" + "ab" * 20
DOMAIN = request_domain(31337, "0x" + "cd" * 20)
BODY = b'{"job_id": 1, "capsule_id": 2}'
NOW = 1_800_000_000


def _signed(**changes: object):  # type: ignore[no-untyped-def]
    arguments: dict[str, object] = {
        "worker": WORKER,
        "action": "capsule-share",
        "body": BODY,
        "gatekeeper": GATEKEEPER,
        "issued_at": NOW,
        "nonce": b"\x01" * 32,
    }
    arguments.update(changes)
    return sign_request(KEY, DOMAIN, **arguments)  # type: ignore[arg-type]


def _verify(request, guard: ReplayGuard | None = None, **changes: object) -> str:  # type: ignore[no-untyped-def]
    arguments: dict[str, object] = {
        "action": "capsule-share",
        "body": BODY,
        "gatekeeper": GATEKEEPER,
        "guard": guard or ReplayGuard(),
        "clock": lambda: NOW + 5,
    }
    arguments.update(changes)
    return verify_request(request, DOMAIN, **arguments)  # type: ignore[arg-type]


def test_valid_request_returns_the_worker() -> None:
    assert _verify(_signed()) == WORKER


def test_replay_is_refused() -> None:
    guard = ReplayGuard()
    request = _signed()
    _verify(request, guard)
    with pytest.raises(SignatureError, match="replayed"):
        _verify(request, guard)


def test_nonces_are_forgotten_after_the_window() -> None:
    guard = ReplayGuard(window=10)
    guard.check_and_remember(b"\x01" * 32, NOW)
    guard.check_and_remember(b"\x01" * 32, NOW + 11)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"action": "named-key"}, "is for action 'capsule-share'"),
        ({"gatekeeper": "0x" + "ef" * 20}, "addressed to another gatekeeper"),
        ({"body": BODY + b" "}, "body does not match"),
        ({"clock": lambda: NOW + 61}, r"timestamp is \+61 s off"),
        ({"clock": lambda: NOW - 61}, r"timestamp is -61 s off"),
    ],
)
def test_mismatches_are_named(changes: dict[str, object], message: str) -> None:
    request = _signed()
    with pytest.raises(SignatureError, match=message):
        _verify(request, **changes)


def test_tampered_or_foreign_signatures() -> None:
    request = _signed()
    forged = dataclasses.replace(request, worker=address_of(keccak(b"someone else")))
    with pytest.raises(SignatureError, match="not signed by the worker it names"):
        _verify(forged)
    later = dataclasses.replace(request, issued_at=NOW + 1)
    with pytest.raises(SignatureError, match="not signed by the worker it names"):
        _verify(later)
    other_chain = sign_request(
        KEY,
        request_domain(1, "0x" + "cd" * 20),
        worker=WORKER,
        action="capsule-share",
        body=BODY,
        gatekeeper=GATEKEEPER,
        issued_at=NOW,
        nonce=b"\x02" * 32,
    )
    with pytest.raises(SignatureError, match="not signed by the worker it names"):
        _verify(other_chain)
    with pytest.raises(SignatureError, match="65 bytes"):
        _verify(dataclasses.replace(request, signature=request.signature[:64]))
    with pytest.raises(SignatureError, match="nonce must be 32 bytes"):
        _verify(dataclasses.replace(request, nonce=b"\x01"))


def test_request_signer_signs_as_sign_request_does() -> None:
    signer = RequestSigner(KEY)
    assert signer.worker == WORKER
    request = signer.sign(
        DOMAIN, action="capsule-share", body=BODY, gatekeeper=GATEKEEPER, issued_at=NOW
    )
    assert _verify(request) == WORKER
    same = _signed(nonce=request.nonce)
    assert (request.digest(DOMAIN), request.signature) == (same.digest(DOMAIN), same.signature)
