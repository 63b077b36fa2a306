"""What every typed contract client shares: calls, transactions, reverts and events."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError, MismatchedABI, Web3RPCError
from web3.types import BlockIdentifier, TxParams, TxReceipt

from veritee.chain.compiler import compile_contract
from veritee.chain.sender import TransactionSender, gas_limit_for, revert_reason_from_error
from veritee.crypto.typed_data import Domain
from veritee.exceptions import ChainError, ContractRevert

__all__ = ["ChainEvent", "ContractClient", "translate_reverts"]


@dataclass(frozen=True)
class ChainEvent:
    """A decoded contract event."""

    name: str
    args: dict[str, Any]
    block_number: int
    transaction_hash: str
    log_index: int


@contextmanager
def translate_reverts(function: str) -> Iterator[None]:
    """Turns web3's revert exceptions raised inside the block into :class:`ContractRevert`."""
    try:
        yield
    except (ContractLogicError, Web3RPCError) as exc:
        reason = revert_reason_from_error(exc)
        if reason is None:
            if isinstance(exc, ContractLogicError):
                raise ContractRevert("reverted without a reason", function=function) from exc
            raise ChainError(f"{function}: {exc}") from exc
        raise ContractRevert(reason, function=function) from exc


class ContractClient:
    """A typed client for one deployed veritee contract.

    Reads go through ``eth_call``; writes are built, signed and sent by ``sender`` (reads work
    without one). Reverts surface as :class:`ContractRevert` carrying the contract's reason.
    Reads see the chain at :attr:`block` (``"latest"`` unless pinned with :meth:`at_block`).
    """

    contract_name: ClassVar[str]
    #: The block that reads (calls and event scans) see.
    block: BlockIdentifier = "latest"

    def __init__(self, w3: Web3, address: str, sender: TransactionSender | None = None) -> None:
        self.w3 = w3
        self.address = to_checksum_address(address)
        self.sender = sender
        self.contract: Contract = w3.eth.contract(
            address=self.address, abi=compile_contract(self.contract_name).abi
        )

    def at_block(self, block: BlockIdentifier) -> Self:
        """A copy of this client whose reads see the chain as of ``block`` (cheap: no ABI work).

        Pinning every read of a decision to one block gives a consistent view of the chain, and
        pinning it a few blocks back gives confirmations.
        """
        pinned = copy.copy(self)
        pinned.block = block
        return pinned

    def domain(self) -> Domain:
        """The contract's EIP-712 domain, as its ``eip712Domain()`` (ERC-5267) reports it."""
        _, name, version, chain_id, contract, _, _ = self._call("eip712Domain")
        return Domain(str(name), str(version), int(chain_id), str(contract))

    def _call(self, function: str, *args: Any) -> Any:
        with translate_reverts(f"{self.contract_name}.{function}"):
            return self.contract.functions[function](*args).call(block_identifier=self.block)

    def build(self, function: str, *args: Any, gas: int | None = None) -> TxParams:
        """Builds (and, without ``gas``, estimates, so reverts surface here) a transaction."""
        if self.sender is None:
            raise ChainError(f"{self.contract_name} client has no sender: it is read-only")
        params: TxParams = {"from": self.sender.address}
        if gas is not None:
            params["gas"] = gas
        with translate_reverts(f"{self.contract_name}.{function}"):
            tx = self.contract.functions[function](*args).build_transaction(params)
        if gas is None:
            tx["gas"] = gas_limit_for(int(tx["gas"]))
        return tx

    def _transact(self, function: str, *args: Any, gas: int | None = None) -> TxReceipt:
        tx = self.build(function, *args, gas=gas)
        assert self.sender is not None  # build() checked
        return self.sender.send_and_wait(tx, function=f"{self.contract_name}.{function}")

    def events(
        self,
        name: str,
        from_block: int = 0,
        to_block: BlockIdentifier | None = None,
        argument_filters: dict[str, Any] | None = None,
    ) -> list[ChainEvent]:
        """Decoded ``name`` events of this contract in a block range (up to :attr:`block`)."""
        event = self.contract.events[name]
        logs = event.get_logs(
            from_block=from_block,
            to_block=self.block if to_block is None else to_block,
            argument_filters=argument_filters,
        )
        return [_event(log) for log in logs]

    def events_in(self, receipt: TxReceipt, name: str) -> list[ChainEvent]:
        """Decoded ``name`` events this contract emitted in one transaction."""
        event = self.contract.events[name]
        # Match the event's topic first: decoding every log of a 100-job settlement is slow.
        topic = bytes(HexBytes(event.topic))
        logs = [
            log
            for log in receipt["logs"]
            if log["topics"]
            and bytes(log["topics"][0]) == topic
            and to_checksum_address(log["address"]) == self.address
        ]
        decoded = []
        for log in logs:
            try:
                decoded.append(event.process_log(log))
            except MismatchedABI:  # a log of another event type
                continue
        return [_event(d) for d in decoded]


def _event(log: Any) -> ChainEvent:
    return ChainEvent(
        name=str(log["event"]),
        args={k: _plain(v) for k, v in dict(log["args"]).items()},
        block_number=int(log["blockNumber"]),
        transaction_hash=HexBytes(log["transactionHash"]).to_0x_hex(),
        log_index=int(log["logIndex"]),
    )


def _plain(value: Any) -> Any:
    """Converts web3's AttributeDict/HexBytes values to plain Python types."""
    if isinstance(value, HexBytes):
        return bytes(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    return value
