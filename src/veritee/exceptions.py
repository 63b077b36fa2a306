"""The exceptions veritee raises.

Every error veritee raises derives from :class:`VeriteeError`; third-party exceptions are
translated at the boundary with ``raise ... from``. The tree::

    VeriteeError
    ├── ConfigError              a missing or invalid setting
    ├── SignatureError           a signature or typed message did not verify
    └── ChainError               anything about talking to the chain
        ├── CompilationError     a contract did not compile
        ├── DeploymentError      deployment record missing, malformed or not matching the chain
        ├── AnvilNotInstalled    the anvil binary was not found
        ├── NodeError            a node could not be started, reached or stopped
        ├── TransactionError     a transaction was dropped, stuck or timed out
        └── ContractRevert       a contract call reverted; carries the contract and the reason
"""

from __future__ import annotations

__all__ = [
    "AnvilNotInstalled",
    "ChainError",
    "CompilationError",
    "ConfigError",
    "ContractRevert",
    "DeploymentError",
    "NodeError",
    "SignatureError",
    "TransactionError",
    "VeriteeError",
]


class VeriteeError(Exception):
    """Root of every error veritee raises."""


class ConfigError(VeriteeError):
    """A setting is missing or invalid."""


class SignatureError(VeriteeError):
    """A signature, certificate or typed message failed verification."""


class ChainError(VeriteeError):
    """Something went wrong while talking to the chain."""


class CompilationError(ChainError):
    """A Vyper contract failed to compile."""


class DeploymentError(ChainError):
    """A deployment record is missing, malformed, or does not match the chain."""


class AnvilNotInstalled(ChainError):
    """The anvil binary could not be found."""


class NodeError(ChainError):
    """A chain node could not be started, reached or stopped."""


class TransactionError(ChainError):
    """A transaction was dropped, stayed stuck, or was not mined in time."""


class ContractRevert(ChainError):
    """A contract call or transaction reverted.

    ``contract`` is the prefix of a namespaced revert string (``"Jobs"`` for
    ``"Jobs: job not pending"``) and ``reason`` the rest; ``raw`` is the whole string.
    """

    def __init__(self, raw: str, *, function: str | None = None) -> None:
        self.raw = raw
        self.function = function
        contract, sep, reason = raw.partition(": ")
        if sep and contract and " " not in contract:
            self.contract: str | None = contract
            self.reason = reason
        else:
            self.contract = None
            self.reason = raw
        where = f" in {function}" if function else ""
        super().__init__(f"transaction reverted{where}: {raw}")
