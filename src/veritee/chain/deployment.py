"""Deploy and wire the whole contract set in one call; read and write the deployment record.

The record is JSON: the chain id, the deployer, the block it finished in, and per contract its
address and the keccak256 of its runtime code, so that anyone can check a record against a
chain (:func:`check_deployment`) before trusting an address in it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.types import TxParams

from veritee.chain.compiler import compile_all
from veritee.chain.sender import TransactionSender
from veritee.chain.types import TcbStatus, TeeKind
from veritee.exceptions import DeploymentError

__all__ = [
    "CONTRACT_NAMES",
    "Deployment",
    "DeploymentConfig",
    "check_deployment",
    "deploy",
]

#: Deployment order; also the keys of :attr:`Deployment.contracts`.
CONTRACT_NAMES = ("Token", "Gatekeepers", "TeePolicy", "Workers", "Models", "Capsules", "Jobs")
_RECORD_VERSION = 1
_TOKEN = 10**18
_DAY = 86_400


@dataclass
class DeploymentConfig:
    """Every constructor argument and initial setting of a deployment.

    The defaults suit a development network: simulated quotes are accepted. Production
    deployments set ``allow_simulated=False`` and list real measurements.
    """

    gatekeepers: Sequence[str]
    threshold: int
    token_name: str = "veritee"  # noqa: S105 - a token, not a password
    token_symbol: str = "VRT"  # noqa: S105
    initial_supply: int = 1_000_000_000 * _TOKEN
    token_holder: str | None = None  # default: the deployer
    allow_simulated: bool = True
    max_certificate_lifetime: int = 7 * _DAY
    measurements: Sequence[tuple[TeeKind, bytes]] = ()
    accepted_tcb: Sequence[TcbStatus] = (TcbStatus.UP_TO_DATE,)
    min_bond: int = 100 * _TOKEN
    unbonding_delay: int = 7 * _DAY
    treasury: str | None = None  # default: the deployer
    protocol_fee_bps: int = 500
    slash_amount: int = 50 * _TOKEN
    slasher_reward_bps: int = 1_000
    max_job_duration: int = _DAY
    max_callback_gas: int = 500_000
    verifiers: Sequence[str] = ()


@dataclass
class ContractRecord:
    """Where one contract lives and what code it runs."""

    address: str
    code_hash: str


@dataclass
class Deployment:
    """A deployment record: which contracts, where, on which chain."""

    chain_id: int
    deployer: str
    block: int
    contracts: dict[str, ContractRecord] = field(default_factory=dict)
    version: int = _RECORD_VERSION

    def address(self, name: str) -> str:
        """The checksummed address of contract ``name``."""
        try:
            return self.contracts[name].address
        except KeyError:
            raise DeploymentError(f"deployment record has no contract {name!r}") from None

    def to_json(self) -> str:
        """The record as JSON text."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Deployment:
        """Parses a record; raises :class:`DeploymentError` naming what is wrong."""
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DeploymentError(f"deployment record is not valid JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise DeploymentError("deployment record must be a JSON object")
        if raw.get("version") != _RECORD_VERSION:
            raise DeploymentError(
                f"unsupported deployment record version {raw.get('version')!r}"
                f" (expected {_RECORD_VERSION})"
            )
        try:
            contracts = {
                name: ContractRecord(
                    address=to_checksum_address(entry["address"]),
                    code_hash=str(entry["code_hash"]),
                )
                for name, entry in raw["contracts"].items()
            }
            record = cls(
                chain_id=int(raw["chain_id"]),
                deployer=to_checksum_address(raw["deployer"]),
                block=int(raw["block"]),
                contracts=contracts,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DeploymentError(f"deployment record is malformed: {exc!r}") from exc
        missing = [name for name in CONTRACT_NAMES if name not in contracts]
        if missing:
            raise DeploymentError(f"deployment record lacks {', '.join(missing)}")
        return record

    def save(self, path: Path) -> None:
        """Writes the record atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            handle.write(self.to_json())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Deployment:
        """Reads a record written by :meth:`save`."""
        try:
            text = path.read_text()
        except OSError as exc:
            raise DeploymentError(f"cannot read deployment record {path}: {exc}") from exc
        return cls.from_json(text)


def check_deployment(w3: Web3, deployment: Deployment) -> None:
    """Raises :class:`DeploymentError` unless the chain matches the record.

    Checks the chain id and that every contract's runtime code hashes to the recorded value.
    """
    chain_id = w3.eth.chain_id
    if chain_id != deployment.chain_id:
        raise DeploymentError(
            f"deployment record is for chain {deployment.chain_id}, the node is on chain {chain_id}"
        )
    for name, record in deployment.contracts.items():
        code = bytes(w3.eth.get_code(to_checksum_address(record.address)))
        if not code:
            raise DeploymentError(f"no code at {name} address {record.address}")
        if "0x" + keccak(code).hex() != record.code_hash:
            raise DeploymentError(f"code at {name} address {record.address} does not match")


def deploy(w3: Web3, sender: TransactionSender, config: DeploymentConfig) -> Deployment:
    """Deploys every contract, wires them together, applies ``config``; returns the record."""
    if not config.gatekeepers:
        raise DeploymentError("a deployment needs at least one gatekeeper")
    if config.max_job_duration >= config.unbonding_delay:
        # A worker could otherwise withdraw its bond before its last job can be expired.
        raise DeploymentError("unbonding_delay must be longer than max_job_duration")
    compiled = compile_all(CONTRACT_NAMES)
    deployer = sender.address
    addresses: dict[str, str] = {}

    def create(name: str, *args: Any) -> None:
        factory = w3.eth.contract(abi=compiled[name].abi, bytecode=compiled[name].bytecode)
        tx = factory.constructor(*args).build_transaction({"from": deployer})
        receipt = sender.send_and_wait(tx, function=f"{name} constructor")
        address = receipt["contractAddress"]
        if address is None:
            raise DeploymentError(f"{name} deployment produced no contract address")
        addresses[name] = to_checksum_address(address)

    def call(name: str, function: str, *args: Any) -> None:
        contract = w3.eth.contract(
            address=to_checksum_address(addresses[name]), abi=compiled[name].abi
        )
        tx: TxParams = contract.functions[function](*args).build_transaction({"from": deployer})
        sender.send_and_wait(tx, function=f"{name}.{function}")

    gatekeepers = [to_checksum_address(a) for a in config.gatekeepers]
    create(
        "Token",
        config.token_name,
        config.token_symbol,
        config.initial_supply,
        config.token_holder or deployer,
    )
    create("Gatekeepers", gatekeepers, config.threshold)
    create("TeePolicy", config.allow_simulated, config.max_certificate_lifetime)
    create(
        "Workers",
        addresses["Token"],
        addresses["Gatekeepers"],
        addresses["TeePolicy"],
        config.min_bond,
        config.unbonding_delay,
    )
    create("Models")
    create("Capsules")
    create(
        "Jobs",
        addresses["Token"],
        addresses["Workers"],
        addresses["Models"],
        addresses["Capsules"],
        config.treasury or deployer,
        config.protocol_fee_bps,
        config.slash_amount,
        config.slasher_reward_bps,
        config.max_job_duration,
        config.max_callback_gas,
    )
    call("Workers", "set_jobs", addresses["Jobs"])
    call("Capsules", "set_jobs", addresses["Jobs"])
    for kind, measurement in config.measurements:
        call("TeePolicy", "set_measurement", int(kind), measurement, True)
    for status in config.accepted_tcb:
        if status != TcbStatus.UP_TO_DATE:  # accepted by the constructor
            call("TeePolicy", "set_tcb_accepted", int(status), True)
    for verifier in config.verifiers:
        call("Models", "set_verifier", to_checksum_address(verifier), True)

    record = Deployment(chain_id=w3.eth.chain_id, deployer=deployer, block=w3.eth.block_number)
    for name in CONTRACT_NAMES:
        code = bytes(w3.eth.get_code(to_checksum_address(addresses[name])))
        record.contracts[name] = ContractRecord(addresses[name], "0x" + keccak(code).hex())
    return record
