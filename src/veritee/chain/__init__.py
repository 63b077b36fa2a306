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
from veritee.chain.clients import JobRequest, Network
from veritee.chain.compiler import CompiledContract, compile_all, compile_contract, contracts_dir
from veritee.chain.deployment import Deployment, DeploymentConfig, check_deployment, deploy
from veritee.chain.sender import TransactionSender, revert_reason_from_error
from veritee.chain.types import (
    CapsuleId,
    JobId,
    JobStatus,
    ModelId,
    ModelStatus,
    TcbStatus,
    TeeKind,
    TokenAmount,
    WorkerStatus,
)

__all__ = [
    "ANVIL_VERSION",
    "AnvilDevnet",
    "CapsuleId",
    "ChainBackend",
    "CompiledContract",
    "Deployment",
    "DeploymentConfig",
    "EmbeddedChain",
    "JobId",
    "JobRequest",
    "JobStatus",
    "ModelId",
    "ModelStatus",
    "Network",
    "TcbStatus",
    "TeeKind",
    "TokenAmount",
    "TransactionSender",
    "WorkerStatus",
    "anvil_binary",
    "check_deployment",
    "compile_all",
    "compile_contract",
    "contracts_dir",
    "deploy",
    "dev_accounts",
    "install_anvil",
    "revert_reason_from_error",
]
