"""Typed clients for the registries: Gatekeepers, TeePolicy, Workers, Models, Capsules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3.types import TxReceipt

from veritee.chain.clients.base import ContractClient
from veritee.chain.types import (
    CapsuleId,
    ModelId,
    ModelStatus,
    TcbStatus,
    TeeKind,
    TokenAmount,
    WorkerStatus,
)
from veritee.crypto.typed_data import Certificate

__all__ = [
    "CapsuleInfo",
    "CapsulesClient",
    "GatekeepersClient",
    "ModelInfo",
    "ModelsClient",
    "TeePolicyClient",
    "WorkerInfo",
    "WorkersClient",
]

Point = tuple[int, int]


class GatekeepersClient(ContractClient):
    """The gatekeeper set, threshold and network key."""

    contract_name = "Gatekeepers"

    def members(self) -> list[str]:
        return [to_checksum_address(a) for a in self._call("members")]

    def threshold(self) -> int:
        return int(self._call("threshold"))

    def epoch(self) -> int:
        return int(self._call("epoch"))

    def network_key(self) -> Point:
        x, y = self._call("network_key")
        return int(x), int(y)

    def public_shares(self) -> list[Point]:
        return [(int(x), int(y)) for x, y in self._call("public_shares")]

    def key_published(self) -> bool:
        return bool(self._call("key_published"))

    def check_signatures(self, digest: bytes, signatures: Sequence[bytes]) -> int:
        """Raises :class:`ContractRevert` unless ``digest`` has ``t`` valid signatures."""
        return int(self._call("check_signatures", digest, list(signatures)))

    def set_gatekeepers(self, members: Sequence[str], threshold: int) -> TxReceipt:
        return self._transact(
            "set_gatekeepers", [to_checksum_address(m) for m in members], threshold
        )

    def publish_key(
        self, key: Point, shares: Sequence[Point], signatures: Sequence[bytes]
    ) -> TxReceipt:
        return self._transact("publish_key", key, list(shares), list(signatures))


class TeePolicyClient(ContractClient):
    """Which measurements, TCB statuses and quote kinds are admitted."""

    contract_name = "TeePolicy"

    def allows_measurement(self, kind: TeeKind, measurement: bytes) -> bool:
        return bool(self._call("allowed_measurement", int(kind), measurement))

    def allow_simulated(self) -> bool:
        return bool(self._call("allow_simulated"))

    def max_certificate_lifetime(self) -> int:
        return int(self._call("max_certificate_lifetime"))

    def tcb_accepted(self, status: TcbStatus) -> bool:
        return bool(self._call("tcb_accepted", int(status)))

    def check(self, kind: TeeKind, measurement: bytes, tcb: TcbStatus) -> None:
        """Raises :class:`ContractRevert` naming why the policy rejects this TEE."""
        self._call("check", int(kind), measurement, int(tcb))

    def set_measurement(self, kind: TeeKind, measurement: bytes, allowed: bool) -> TxReceipt:
        return self._transact("set_measurement", int(kind), measurement, allowed)

    def set_allow_simulated(self, allowed: bool) -> TxReceipt:
        return self._transact("set_allow_simulated", allowed)

    def set_tcb_accepted(self, status: TcbStatus, accepted: bool) -> TxReceipt:
        return self._transact("set_tcb_accepted", int(status), accepted)


@dataclass(frozen=True)
class WorkerInfo:
    """A worker: what the Workers contract stores, plus what its events announced.

    The X25519 key, quote hash, certificate issue time and endpoint live in the contract's
    events (``WorkerRegistered``, ``CertificateRenewed``, ``EndpointUpdated``), not in storage.
    """

    enclave: str
    operator: str
    measurement: bytes
    measurement_id: int
    tee_kind: TeeKind
    tcb_status: TcbStatus
    expiry: int
    price: TokenAmount
    bond: TokenAmount
    status: WorkerStatus
    unbond_at: int
    models: tuple[ModelId, ...]
    x25519_key: bytes
    quote_hash: bytes
    issued_at: int
    endpoint: str


class WorkersClient(ContractClient):
    """The worker registry."""

    contract_name = "Workers"

    def worker(self, enclave: str) -> WorkerInfo:
        """The worker's stored record, completed from its latest announcements."""
        enclave = to_checksum_address(enclave)
        raw = self._call("workers", enclave)
        status = WorkerStatus(raw[8])
        announced: dict[str, Any] = {
            "x25519_key": b"",
            "quote_hash": b"",
            "issued_at": 0,
            "endpoint": "",
        }
        if status is not WorkerStatus.UNKNOWN:
            announced.update(self._announcements(enclave))
        return WorkerInfo(
            enclave=enclave,
            operator=to_checksum_address(raw[0]),
            measurement=bytes(raw[1]),
            measurement_id=int(raw[2]),
            tee_kind=TeeKind(raw[3]),
            tcb_status=TcbStatus(raw[4]),
            expiry=int(raw[5]),
            price=TokenAmount(raw[6]),
            bond=TokenAmount(raw[7]),
            status=status,
            unbond_at=int(raw[9]),
            models=tuple(ModelId(m) for m in raw[10]),
            **announced,
        )

    def _announcements(self, enclave: str) -> dict[str, Any]:
        """The worker's announced facts, from its events in one log query, latest winning."""
        names = ("WorkerRegistered", "CertificateRenewed", "EndpointUpdated")
        events = {
            bytes(HexBytes(self.contract.events[n].topic)): self.contract.events[n] for n in names
        }
        worker_topic = b"\x00" * 12 + bytes.fromhex(enclave[2:])
        logs = self.w3.eth.get_logs(
            {
                "address": self.address,
                # 0x-hex strings: eth-tester matches no HexBytes topics.
                "topics": [
                    [HexBytes(topic).to_0x_hex() for topic in events],
                    HexBytes(worker_topic).to_0x_hex(),
                ],
                "fromBlock": 0,
                "toBlock": self.block,
            }
        )
        found: dict[str, Any] = {}
        for log in sorted(logs, key=lambda entry: (entry["blockNumber"], entry["logIndex"])):
            args = events[bytes(log["topics"][0])].process_log(log)["args"]
            for key in ("x25519_key", "quote_hash", "issued_at", "endpoint"):
                if key in args:
                    value = args[key]
                    found[key] = bytes(value) if isinstance(value, bytes) else value
        return found

    def is_certified(self, enclave: str) -> bool:
        return bool(self._call("is_certified", to_checksum_address(enclave)))

    def check_eligible(self, enclave: str, model_id: ModelId) -> None:
        """Raises :class:`ContractRevert` naming why the worker cannot take this job."""
        self._call("check_eligible", to_checksum_address(enclave), model_id)

    def min_bond(self) -> TokenAmount:
        return TokenAmount(self._call("min_bond"))

    def certificate_digest(self, certificate: Certificate) -> bytes:
        return bytes(self._call("certificate_digest", certificate.as_tuple()))

    def register(
        self,
        certificate: Certificate,
        signatures: Sequence[bytes],
        endpoint: str,
        price: int,
        models: Sequence[int],
        bond: int,
    ) -> TxReceipt:
        return self._transact(
            "register",
            certificate.as_tuple(),
            list(signatures),
            endpoint,
            price,
            list(models),
            bond,
        )

    def renew(self, certificate: Certificate, signatures: Sequence[bytes]) -> TxReceipt:
        return self._transact("renew", certificate.as_tuple(), list(signatures))

    def set_endpoint(self, enclave: str, endpoint: str) -> TxReceipt:
        return self._transact("set_endpoint", to_checksum_address(enclave), endpoint)

    def set_price(self, enclave: str, price: int) -> TxReceipt:
        return self._transact("set_price", to_checksum_address(enclave), price)

    def set_models(self, enclave: str, models: Sequence[int]) -> TxReceipt:
        return self._transact("set_models", to_checksum_address(enclave), list(models))

    def add_bond(self, enclave: str, amount: int) -> TxReceipt:
        return self._transact("add_bond", to_checksum_address(enclave), amount)

    def begin_unbonding(self, enclave: str) -> TxReceipt:
        return self._transact("begin_unbonding", to_checksum_address(enclave))

    def withdraw_bond(self, enclave: str) -> TxReceipt:
        return self._transact("withdraw_bond", to_checksum_address(enclave))


@dataclass(frozen=True)
class ModelInfo:
    """A model version as the Models contract records it."""

    model_id: ModelId
    owner: str
    name: str
    version: str
    artifact_sha256: bytes
    format: str
    uri: str
    price: TokenAmount
    status: ModelStatus
    previous: ModelId


class ModelsClient(ContractClient):
    """The model registry."""

    contract_name = "Models"

    def model(self, model_id: ModelId) -> ModelInfo:
        raw = self._call("models", model_id)
        return ModelInfo(
            model_id=model_id,
            owner=to_checksum_address(raw[0]),
            name=str(raw[1]),
            version=str(raw[2]),
            artifact_sha256=bytes(raw[3]),
            format=str(raw[4]),
            uri=str(raw[5]),
            price=TokenAmount(raw[6]),
            status=ModelStatus(raw[7]),
            previous=ModelId(raw[8]),
        )

    def count(self) -> int:
        return int(self._call("model_count"))

    def register(
        self, name: str, version: str, artifact_sha256: bytes, format: str, uri: str, price: int
    ) -> ModelId:
        receipt = self._transact("register", name, version, artifact_sha256, format, uri, price)
        return ModelId(self.events_in(receipt, "ModelRegistered")[0].args["model_id"])

    def register_version(
        self,
        previous: ModelId,
        version: str,
        artifact_sha256: bytes,
        format: str,
        uri: str,
        price: int,
    ) -> ModelId:
        receipt = self._transact(
            "register_version", previous, version, artifact_sha256, format, uri, price
        )
        return ModelId(self.events_in(receipt, "ModelRegistered")[0].args["model_id"])

    def verify(self, model_id: ModelId) -> TxReceipt:
        return self._transact("verify", model_id)

    def deprecate(self, model_id: ModelId) -> TxReceipt:
        return self._transact("deprecate", model_id)

    def set_price(self, model_id: ModelId, price: int) -> TxReceipt:
        return self._transact("set_price", model_id, price)

    def set_verifier(self, verifier: str, allowed: bool) -> TxReceipt:
        return self._transact("set_verifier", to_checksum_address(verifier), allowed)


@dataclass(frozen=True)
class CapsuleInfo:
    """A capsule as the Capsules contract records it."""

    capsule_id: CapsuleId
    owner: str
    ciphertext_sha256: bytes
    uri: str
    r: Point
    price: TokenAmount
    max_uses: int
    expiry: int
    revoked: bool
    uses: int
    pending: int
    allowed_models: tuple[ModelId, ...]


class CapsulesClient(ContractClient):
    """The capsule registry."""

    contract_name = "Capsules"

    def capsule(self, capsule_id: CapsuleId) -> CapsuleInfo:
        raw = self._call("capsules", capsule_id)
        allowed = tuple(ModelId(m) for m in self._call("allowed_models", capsule_id))
        return CapsuleInfo(
            capsule_id=capsule_id,
            owner=to_checksum_address(raw[0]),
            ciphertext_sha256=bytes(raw[1]),
            uri=str(raw[2]),
            r=(int(raw[3][0]), int(raw[3][1])),
            price=TokenAmount(raw[4]),
            max_uses=int(raw[5]),
            expiry=int(raw[6]),
            revoked=bool(raw[7]),
            uses=int(raw[8]),
            pending=int(raw[9]),
            allowed_models=allowed,
        )

    def check_use(self, capsule_id: CapsuleId, model_id: ModelId) -> None:
        """Raises :class:`ContractRevert` naming why a job with this model may not use it."""
        self._call("check_use", capsule_id, model_id)

    def register(
        self,
        ciphertext_sha256: bytes,
        uri: str,
        r: Point,
        allowed_models: Sequence[int] = (),
        price: int = 0,
        max_uses: int = 0,
        expiry: int = 0,
    ) -> CapsuleId:
        receipt = self._transact(
            "register",
            ciphertext_sha256,
            uri,
            r,
            list(allowed_models),
            price,
            max_uses,
            expiry,
        )
        return CapsuleId(self.events_in(receipt, "CapsuleRegistered")[0].args["capsule_id"])

    def update_policy(
        self,
        capsule_id: CapsuleId,
        allowed_models: Sequence[int],
        price: int,
        max_uses: int,
        expiry: int,
    ) -> TxReceipt:
        return self._transact(
            "update_policy", capsule_id, list(allowed_models), price, max_uses, expiry
        )

    def revoke(self, capsule_id: CapsuleId) -> TxReceipt:
        return self._transact("revoke", capsule_id)
