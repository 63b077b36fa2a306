"""Typed clients for the veritee contracts."""

from veritee.chain.clients.base import ChainEvent, ContractClient, translate_reverts
from veritee.chain.clients.jobs import JobInfo, JobRequest, JobsClient
from veritee.chain.clients.network import Network
from veritee.chain.clients.registries import (
    CapsuleInfo,
    CapsulesClient,
    GatekeepersClient,
    ModelInfo,
    ModelsClient,
    TeePolicyClient,
    WorkerInfo,
    WorkersClient,
)
from veritee.chain.clients.token import Permit, TokenClient

__all__ = [
    "CapsuleInfo",
    "CapsulesClient",
    "ChainEvent",
    "ContractClient",
    "GatekeepersClient",
    "JobInfo",
    "JobRequest",
    "JobsClient",
    "ModelInfo",
    "ModelsClient",
    "Network",
    "Permit",
    "TeePolicyClient",
    "TokenClient",
    "WorkerInfo",
    "WorkersClient",
    "translate_reverts",
]
