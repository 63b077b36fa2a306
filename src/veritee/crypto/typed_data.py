"""EIP-712 typed data: the digests veritee contracts check, and signing them.

Each contract has its own domain (``name``, ``version``, ``chainId``, ``verifyingContract``), so a
signature made for one contract, chain or deployment is worthless for any other. The struct
encodings here mirror the contracts' exactly; ``tests/unit/test_typed_data.py`` checks them against
eth-account's independent EIP-712 encoder and the contracts' own digest views.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import coincurve
from eth_abi import encode
from eth_utils import keccak, to_canonical_address, to_checksum_address

from veritee.exceptions import SignatureError

__all__ = [
    "BATCH_TYPE",
    "CERTIFICATE_TYPE",
    "NETWORK_KEY_TYPE",
    "RESULT_TYPE",
    "Certificate",
    "Domain",
    "JobResult",
    "batch_digest",
    "certificate_digest",
    "network_key_digest",
    "recover_digest",
    "sign_digest",
]

_DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
CERTIFICATE_TYPE = (
    "WorkerCertificate(address enclave,address operator,bytes32 x25519Key,bytes32 measurement,"
    "uint8 teeKind,uint8 tcbStatus,bytes32 quoteHash,uint64 issuedAt,uint64 expiry)"
)
RESULT_TYPE = "JobResult(uint256 jobId,bytes32 resultHash,string resultUri,uint8 status)"
BATCH_TYPE = "ResultBatch(address worker,JobResult[] results)" + RESULT_TYPE
NETWORK_KEY_TYPE = "NetworkKey(uint256 epoch,uint256 keyX,uint256 keyY,bytes32 sharesHash)"


@functools.lru_cache(maxsize=4096)
def _address_of_public(public_key: bytes) -> str:
    """The checksummed address of a 65-byte uncompressed public key (cached: signers recur, a
    worker signing every key request, and the address costs two keccaks)."""
    return to_checksum_address(keccak(public_key[1:])[-20:])


# Half the secp256k1 group order: contracts reject the high-s twin of a signature.
_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0


@dataclass(frozen=True)
class Domain:
    """An EIP-712 domain: one contract of one deployment on one chain."""

    name: str
    version: str
    chain_id: int
    verifying_contract: str

    def separator(self) -> bytes:
        """The domain separator hash (computed once per domain: it is on every hot path)."""
        return _separator(self.name, self.version, self.chain_id, self.verifying_contract.lower())

    def digest(self, struct_hash: bytes) -> bytes:
        """The EIP-712 digest ``keccak256(0x1901 ‖ separator ‖ struct_hash)``."""
        return keccak(b"\x19\x01" + self.separator() + struct_hash)


@functools.lru_cache(maxsize=256)
def _separator(name: str, version: str, chain_id: int, verifying_contract: str) -> bytes:
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(text=_DOMAIN_TYPE),
                keccak(text=name),
                keccak(text=version),
                chain_id,
                to_checksum_address(verifying_contract),
            ],
        )
    )


@dataclass(frozen=True)
class Certificate:
    """A worker certificate that gatekeepers sign and the Workers contract checks."""

    enclave: str
    operator: str
    x25519_key: bytes
    measurement: bytes
    tee_kind: int
    tcb_status: int
    quote_hash: bytes
    issued_at: int
    expiry: int

    def as_tuple(self) -> tuple[str, str, bytes, bytes, int, int, bytes, int, int]:
        """The ABI tuple for contract calls, in struct field order."""
        return (
            to_checksum_address(self.enclave),
            to_checksum_address(self.operator),
            self.x25519_key,
            self.measurement,
            self.tee_kind,
            self.tcb_status,
            self.quote_hash,
            self.issued_at,
            self.expiry,
        )

    def struct_hash(self) -> bytes:
        """``hashStruct`` of the certificate."""
        return keccak(
            encode(
                [
                    "bytes32",
                    "address",
                    "address",
                    "bytes32",
                    "bytes32",
                    "uint8",
                    "uint8",
                    "bytes32",
                    "uint64",
                    "uint64",
                ],
                [keccak(text=CERTIFICATE_TYPE), *self.as_tuple()],
            )
        )


@dataclass(frozen=True)
class JobResult:
    """One job's result in a batch a worker signs; ``status`` 0 is success."""

    job_id: int
    result_hash: bytes
    result_uri: str
    status: int = 0

    def as_tuple(self) -> tuple[int, bytes, str, int]:
        """The ABI tuple for contract calls, in struct field order."""
        return (self.job_id, self.result_hash, self.result_uri, self.status)

    def struct_hash(self) -> bytes:
        """``hashStruct`` of the result."""
        return keccak(
            encode(
                ["bytes32", "uint256", "bytes32", "bytes32", "uint8"],
                [
                    keccak(text=RESULT_TYPE),
                    self.job_id,
                    self.result_hash,
                    keccak(text=self.result_uri),
                    self.status,
                ],
            )
        )


def certificate_digest(domain: Domain, certificate: Certificate) -> bytes:
    """The digest gatekeepers sign for ``certificate`` (domain: the Workers contract)."""
    return domain.digest(certificate.struct_hash())


def batch_digest(domain: Domain, worker: str, results: Sequence[JobResult]) -> bytes:
    """The digest a worker's enclave key signs for a result batch (domain: the Jobs contract)."""
    array_hash = keccak(b"".join(result.struct_hash() for result in results))
    struct_hash = keccak(
        encode(
            ["bytes32", "address", "bytes32"],
            [keccak(text=BATCH_TYPE), to_checksum_address(worker), array_hash],
        )
    )
    return domain.digest(struct_hash)


def network_key_digest(
    domain: Domain, epoch: int, key: tuple[int, int], shares: Sequence[tuple[int, int]]
) -> bytes:
    """The digest gatekeepers sign to publish the network key (domain: the Gatekeepers contract)."""
    shares_hash = keccak(encode(["(uint256,uint256)[]"], [list(shares)]))
    struct_hash = keccak(
        encode(
            ["bytes32", "uint256", "uint256", "uint256", "bytes32"],
            [keccak(text=NETWORK_KEY_TYPE), epoch, key[0], key[1], shares_hash],
        )
    )
    return domain.digest(struct_hash)


def sign_digest(private_key: bytes | coincurve.PrivateKey, digest: bytes) -> bytes:
    """Signs a 32-byte digest: 65 bytes ``r ‖ s ‖ v`` with ``v`` in {27, 28} and low ``s``.

    ``private_key`` is the 32-byte key, or a ``coincurve.PrivateKey`` made once for many
    signatures (making one derives the public key, which costs more than signing).
    """
    if len(digest) != 32:
        raise ValueError("digest must be 32 bytes")
    if not isinstance(private_key, coincurve.PrivateKey):
        private_key = coincurve.PrivateKey(private_key)
    signature = private_key.sign_recoverable(digest, hasher=None)
    return signature[:64] + bytes([signature[64] + 27])


def recover_digest(digest: bytes, signature: bytes) -> str:
    """The checksummed address that signed ``digest``; raises :class:`SignatureError` otherwise.

    Applies the contracts' rules: exactly 65 bytes, ``v`` in {27, 28}, low ``s``.
    """
    if len(signature) != 65:
        raise SignatureError("signature must be 65 bytes r ‖ s ‖ v")
    v = signature[64]
    if v not in (27, 28):
        raise SignatureError("signature v must be 27 or 28")
    if int.from_bytes(signature[32:64], "big") > _HALF_N:
        raise SignatureError("signature has a high s value (malleable)")
    try:
        public_key = coincurve.PublicKey.from_signature_and_message(
            signature[:64] + bytes([v - 27]), digest, hasher=None
        )
    except Exception as exc:  # coincurve raises bare Exception/ValueError on bad input
        raise SignatureError("signature does not recover to a public key") from exc
    return _address_of_public(public_key.format(compressed=False))


def address_of(private_key: bytes) -> str:
    """The checksummed Ethereum address of a secp256k1 private key."""
    public_key = coincurve.PrivateKey(private_key).public_key.format(compressed=False)
    return to_checksum_address(keccak(public_key[1:])[-20:])


def canonical(address: str) -> bytes:
    """The 20 raw bytes of an address."""
    return to_canonical_address(address)
