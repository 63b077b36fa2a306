"""EIP-712 digests: veritee's encoder against eth-account's independent one, and signatures."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from veritee.crypto.typed_data import (
    Certificate,
    Domain,
    JobResult,
    address_of,
    batch_digest,
    certificate_digest,
    network_key_digest,
    recover_digest,
    sign_digest,
)
from veritee.exceptions import SignatureError

DOMAIN = Domain("veritee Jobs", "1", 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
EIP712_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def _eth_account_digest(
    primary: str, types: dict[str, list[dict[str, str]]], message: dict
) -> bytes:
    signable = encode_typed_data(
        full_message={
            "types": {"EIP712Domain": EIP712_DOMAIN, **types},
            "primaryType": primary,
            "domain": {
                "name": DOMAIN.name,
                "version": DOMAIN.version,
                "chainId": DOMAIN.chain_id,
                "verifyingContract": DOMAIN.verifying_contract,
            },
            "message": message,
        }
    )
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


RESULT_FIELDS = [
    {"name": "jobId", "type": "uint256"},
    {"name": "resultHash", "type": "bytes32"},
    {"name": "resultUri", "type": "string"},
    {"name": "status", "type": "uint8"},
]


@pytest.mark.parametrize("count", [0, 1, 3, 17])
def test_batch_digest_matches_eth_account(count: int) -> None:
    results = [
        JobResult(i + 1, keccak(bytes([i])), "blob://r/" + "é" * i, i % 2) for i in range(count)
    ]
    worker = address_of(keccak(b"enclave"))
    expected = _eth_account_digest(
        "ResultBatch",
        {
            "ResultBatch": [
                {"name": "worker", "type": "address"},
                {"name": "results", "type": "JobResult[]"},
            ],
            "JobResult": RESULT_FIELDS,
        },
        {
            "worker": worker,
            "results": [
                {
                    "jobId": r.job_id,
                    "resultHash": r.result_hash,
                    "resultUri": r.result_uri,
                    "status": r.status,
                }
                for r in results
            ],
        },
    )
    assert batch_digest(DOMAIN, worker, results) == expected


def test_certificate_digest_matches_eth_account() -> None:
    certificate = Certificate(
        enclave=address_of(keccak(b"e")),
        operator=address_of(keccak(b"o")),
        x25519_key=keccak(b"x"),
        measurement=keccak(b"m"),
        tee_kind=1,
        tcb_status=3,
        quote_hash=keccak(b"q"),
        issued_at=1_700_000_000,
        expiry=1_700_086_400,
    )
    fields = [
        ("enclave", "address"),
        ("operator", "address"),
        ("x25519Key", "bytes32"),
        ("measurement", "bytes32"),
        ("teeKind", "uint8"),
        ("tcbStatus", "uint8"),
        ("quoteHash", "bytes32"),
        ("issuedAt", "uint64"),
        ("expiry", "uint64"),
    ]
    expected = _eth_account_digest(
        "WorkerCertificate",
        {"WorkerCertificate": [{"name": n, "type": t} for n, t in fields]},
        dict(zip([n for n, _ in fields], certificate.as_tuple(), strict=True)),
    )
    assert certificate_digest(DOMAIN, certificate) == expected


def test_network_key_digest_binds_every_field() -> None:
    shares = [(1, 2), (3, 4)]
    base = network_key_digest(DOMAIN, 1, (5, 6), shares)
    assert network_key_digest(DOMAIN, 2, (5, 6), shares) != base
    assert network_key_digest(DOMAIN, 1, (5, 7), shares) != base
    assert network_key_digest(DOMAIN, 1, (5, 6), [(1, 2), (3, 5)]) != base
    other = Domain("veritee Gatekeepers", "1", 1, DOMAIN.verifying_contract)
    assert network_key_digest(other, 1, (5, 6), shares) != base


def test_sign_and_recover_round_trip_and_match_eth_account() -> None:
    key = keccak(b"signer")
    digest = keccak(b"digest")
    signature = sign_digest(key, digest)
    assert recover_digest(digest, signature) == address_of(key) == Account.from_key(key).address
    assert int.from_bytes(signature[32:64], "big") <= HALF_N
    assert signature[64] in (27, 28)
    assert Account._recover_hash(digest, signature=signature) == address_of(key)


def test_recover_rejects_malformed_and_malleable_signatures() -> None:
    key = keccak(b"signer")
    digest = keccak(b"digest")
    signature = sign_digest(key, digest)
    with pytest.raises(SignatureError, match="65 bytes"):
        recover_digest(digest, signature[:64])
    with pytest.raises(SignatureError, match="v must be 27 or 28"):
        recover_digest(digest, signature[:64] + b"\x00")
    s = int.from_bytes(signature[32:64], "big")
    twin = signature[:32] + (N - s).to_bytes(32, "big") + bytes([55 - signature[64]])
    with pytest.raises(SignatureError, match="malleable"):
        recover_digest(digest, twin)
    with pytest.raises(SignatureError, match="does not recover"):
        recover_digest(digest, b"\x00" * 64 + b"\x1b")
    assert recover_digest(keccak(b"other"), signature) != address_of(key)


def test_domains_are_separated_and_digests_must_be_32_bytes() -> None:
    other = Domain("veritee Workers", "2", 10, "0x" + "11" * 20)
    assert other.separator() != DOMAIN.separator()
    with pytest.raises(ValueError, match="32 bytes"):
        sign_digest(keccak(b"k"), b"short")
