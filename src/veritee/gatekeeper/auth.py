"""Authenticated gatekeeper requests: signed by the worker's enclave key, fresh, never replayed.

A worker signs an EIP-712 ``GatekeeperRequest`` naming the action, the SHA-256 of the request
body, the gatekeeper it is addressed to, when it was made and a random nonce. The gatekeeper
recovers the signer (which must be the worker the body speaks for), refuses requests older or
newer than the allowed clock skew, and remembers every nonce for that long, so that a captured
request cannot be played again.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import coincurve
from eth_utils import keccak, to_canonical_address, to_checksum_address

from veritee.crypto.typed_data import Domain, recover_digest, sign_digest
from veritee.exceptions import SignatureError

__all__ = [
    "REQUEST_TYPE",
    "ReplayGuard",
    "RequestSigner",
    "SignedRequest",
    "request_domain",
    "sign_request",
    "verify_request",
]

REQUEST_TYPE = (
    "GatekeeperRequest(address worker,string action,bytes32 bodyHash,address gatekeeper,"
    "uint64 issuedAt,bytes32 nonce)"
)

_REQUEST_TYPEHASH = keccak(text=REQUEST_TYPE)
# The same few addresses (workers, gatekeepers) recur on every request; checksumming is a keccak
# and eth-utils' validation of an address string costs more than the rest of the digest.
_checksum = functools.lru_cache(maxsize=4096)(to_checksum_address)
_canonical = functools.lru_cache(maxsize=4096)(to_canonical_address)


@functools.lru_cache(maxsize=64)
def _action_hash(action: str) -> bytes:
    return keccak(text=action)


def request_domain(chain_id: int, gatekeepers_contract: str) -> Domain:
    """Requests are signed in the Gatekeepers contract's domain, under a distinct name."""
    return Domain("veritee Gatekeeper Request", "1", chain_id, gatekeepers_contract)


@dataclass(frozen=True)
class SignedRequest:
    """The envelope of a request: who, what, to whom, when, and the signature."""

    worker: str
    action: str
    body_sha256: bytes
    gatekeeper: str
    issued_at: int
    nonce: bytes
    signature: bytes

    def digest(self, domain: Domain) -> bytes:
        """The EIP-712 digest; every field is one static 32-byte ABI word, so it is built here
        directly (it sits on both sides of every key request; a test pins it to eth-account)."""
        if not 0 <= self.issued_at < 1 << 64:
            raise ValueError("issued_at must be a uint64")
        if len(self.body_sha256) != 32 or len(self.nonce) > 32:
            raise ValueError("body hash must be 32 bytes and the nonce at most 32")
        struct_hash = keccak(
            _REQUEST_TYPEHASH
            + _canonical(self.worker).rjust(32, b"\0")
            + _action_hash(self.action)
            + self.body_sha256
            + _canonical(self.gatekeeper).rjust(32, b"\0")
            + self.issued_at.to_bytes(32, "big")
            + self.nonce.ljust(32, b"\0")
        )
        return domain.digest(struct_hash)


def sign_request(
    enclave_key: bytes | coincurve.PrivateKey,
    domain: Domain,
    *,
    worker: str,
    action: str,
    body: bytes,
    gatekeeper: str,
    issued_at: int | None = None,
    nonce: bytes | None = None,
) -> SignedRequest:
    """Signs a request for ``body`` with the worker's enclave key."""
    unsigned = SignedRequest(
        worker=_checksum(worker),
        action=action,
        body_sha256=hashlib.sha256(body).digest(),
        gatekeeper=_checksum(gatekeeper),
        issued_at=int(time.time()) if issued_at is None else issued_at,
        nonce=os.urandom(32) if nonce is None else nonce,
        signature=b"",
    )
    signature = sign_digest(enclave_key, unsigned.digest(domain))
    return SignedRequest(**{**unsigned.__dict__, "signature": signature})


class RequestSigner:
    """A worker's enclave key, parsed once, for the ``n`` requests of one key release."""

    def __init__(self, enclave_key: bytes) -> None:
        self._key = coincurve.PrivateKey(enclave_key)
        public = self._key.public_key.format(compressed=False)
        self.worker: str = _checksum(keccak(public[1:])[-20:])

    def sign(
        self, domain: Domain, *, action: str, body: bytes, gatekeeper: str, issued_at: int
    ) -> SignedRequest:
        """:func:`sign_request` for this key's worker."""
        return sign_request(
            self._key,
            domain,
            worker=self.worker,
            action=action,
            body=body,
            gatekeeper=gatekeeper,
            issued_at=issued_at,
        )


class ReplayGuard:
    """Remembers nonces for ``window`` seconds; thread-safe, bounded by ``capacity``."""

    def __init__(self, window: int = 120, capacity: int = 1_000_000) -> None:
        self.window = window
        self.capacity = capacity
        self._seen: OrderedDict[bytes, int] = OrderedDict()
        self._lock = threading.Lock()

    def check_and_remember(self, nonce: bytes, now: int) -> None:
        """Raises :class:`SignatureError` if ``nonce`` was seen within the window."""
        with self._lock:
            while self._seen:
                oldest, seen_at = next(iter(self._seen.items()))
                if seen_at >= now - self.window and len(self._seen) < self.capacity:
                    break
                del self._seen[oldest]
            if nonce in self._seen:
                raise SignatureError("request replayed: this nonce was already used")
            self._seen[nonce] = now


def verify_request(
    request: SignedRequest,
    domain: Domain,
    *,
    action: str,
    body: bytes,
    gatekeeper: str,
    guard: ReplayGuard,
    max_skew: int = 60,
    clock: Callable[[], float] = time.time,
) -> str:
    """Checks a request and returns the worker address that signed it.

    Raises :class:`SignatureError` naming the problem: wrong action or audience, body that
    does not match its hash, stale or future timestamp, bad signature, signer other than the
    named worker, or a replayed nonce.
    """
    if request.action != action:
        raise SignatureError(f"request is for action {request.action!r}, not {action!r}")
    if _canonical(request.gatekeeper) != _canonical(gatekeeper):
        raise SignatureError("request is addressed to another gatekeeper")
    if not hmac.compare_digest(request.body_sha256, hashlib.sha256(body).digest()):
        raise SignatureError("request body does not match its signed hash")
    if len(request.nonce) != 32:
        raise SignatureError("request nonce must be 32 bytes")
    now = int(clock())
    if abs(now - request.issued_at) > max_skew:
        raise SignatureError(
            f"request timestamp is {now - request.issued_at:+d} s off (allowed ±{max_skew} s)"
        )
    signer = recover_digest(request.digest(domain), request.signature)
    if _canonical(signer) != _canonical(request.worker):
        raise SignatureError("request is not signed by the worker it names")
    guard.check_and_remember(request.nonce, now)
    return signer
