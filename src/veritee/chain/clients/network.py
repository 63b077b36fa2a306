"""One object holding a client for every contract of a deployment, for one account."""

from __future__ import annotations

import copy

from web3 import Web3
from web3.types import BlockIdentifier

from veritee.chain.clients.jobs import JobsClient
from veritee.chain.clients.registries import (
    CapsulesClient,
    GatekeepersClient,
    ModelsClient,
    TeePolicyClient,
    WorkersClient,
)
from veritee.chain.clients.token import TokenClient
from veritee.chain.deployment import Deployment, check_deployment
from veritee.chain.sender import TransactionSender

__all__ = ["Network"]


class Network:
    """Typed clients for a deployment, sending as ``sender``'s account (or read-only).

    ``Network.connect`` checks the deployment record against the chain first, so an address
    from a stale or foreign record is never used.
    """

    def __init__(
        self, w3: Web3, deployment: Deployment, sender: TransactionSender | None = None
    ) -> None:
        self.w3 = w3
        self.deployment = deployment
        self.sender = sender
        self.token = TokenClient(w3, deployment.address("Token"), sender)
        self.gatekeepers = GatekeepersClient(w3, deployment.address("Gatekeepers"), sender)
        self.policy = TeePolicyClient(w3, deployment.address("TeePolicy"), sender)
        self.workers = WorkersClient(w3, deployment.address("Workers"), sender)
        self.models = ModelsClient(w3, deployment.address("Models"), sender)
        self.capsules = CapsulesClient(w3, deployment.address("Capsules"), sender)
        self.jobs = JobsClient(w3, deployment.address("Jobs"), sender)

    @classmethod
    def connect(
        cls, w3: Web3, deployment: Deployment, sender: TransactionSender | None = None
    ) -> Network:
        """Checks ``deployment`` against the chain, then builds the clients."""
        check_deployment(w3, deployment)
        return cls(w3, deployment, sender)

    def at_block(self, block: BlockIdentifier) -> Network:
        """The same clients, reading the chain as of ``block`` (see ``ContractClient.at_block``)."""
        pinned = copy.copy(self)
        for name in ("token", "gatekeepers", "policy", "workers", "models", "capsules", "jobs"):
            setattr(pinned, name, getattr(self, name).at_block(block))
        return pinned

    def as_account(self, sender: TransactionSender) -> Network:
        """The same deployment, sending as another account."""
        return Network(self.w3, self.deployment, sender)

    @property
    def address(self) -> str:
        """The sending account's address."""
        if self.sender is None:
            raise ValueError("this Network is read-only")
        return self.sender.address
