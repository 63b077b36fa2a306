"""Talking to the chain: compiling contracts, running a chain, sending transactions."""

from veritee.chain.backend import (
    ANVIL_VERSION,
    AnvilDevnet,
    ChainBackend,
    EmbeddedChain,
    anvil_binary,
    dev_accounts,
    install_anvil,
)
from veritee.chain.compiler import CompiledContract, compile_all, compile_contract, contracts_dir
from veritee.chain.sender import TransactionSender, revert_reason_from_error

__all__ = [
    "ANVIL_VERSION",
    "AnvilDevnet",
    "ChainBackend",
    "CompiledContract",
    "EmbeddedChain",
    "TransactionSender",
    "anvil_binary",
    "compile_all",
    "compile_contract",
    "contracts_dir",
    "dev_accounts",
    "install_anvil",
    "revert_reason_from_error",
]
