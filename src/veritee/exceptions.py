"""The exceptions veritee raises.

Every error veritee raises derives from :class:`VeriteeError`; third-party exceptions are
translated at the boundary with ``raise ... from``. The tree::

    VeriteeError
    ├── ConfigError              a missing or invalid setting
    ├── SignatureError           a signature or typed message did not verify
    ├── AuditLogCorrupt          an audit log's hash chain is broken
    ├── CryptoError              a cryptographic recipe failed
    │   ├── DecryptionError      a ciphertext could not be opened (deliberately opaque)
    │   ├── ProofError           a DLEQ proof or a VSS share did not verify
    │   └── ThresholdError       too few valid shares, or a protocol step out of order
    ├── AttestationError         producing or verifying TEE evidence failed
    │   ├── TeeUnavailable       the TEE device or service is not there
    │   ├── QuoteError           the quote is malformed, tampered, or its chain is invalid
    │   ├── CollateralError      collateral missing, mismatched, or outside its window
    │   ├── PolicyViolation      the quote verified but the policy rejects it
    │   └── ReportDataMismatch   the quote's report data does not bind the expected keys and nonce
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
    "AttestationError",
    "AuditLogCorrupt",
    "ChainError",
    "CollateralError",
    "CompilationError",
    "ConfigError",
    "ContractRevert",
    "CryptoError",
    "DecryptionError",
    "DeploymentError",
    "NodeError",
    "PolicyViolation",
    "ProofError",
    "QuoteError",
    "ReportDataMismatch",
    "SignatureError",
    "TeeUnavailable",
    "ThresholdError",
    "TransactionError",
    "VeriteeError",
]


class VeriteeError(Exception):
    """Root of every error veritee raises."""


class ConfigError(VeriteeError):
    """A setting is missing or invalid."""


class SignatureError(VeriteeError):
    """A signature, certificate or typed message failed verification."""


class AuditLogCorrupt(VeriteeError):
    """An audit log's hash chain is broken: a record was edited, removed or reordered."""


class CryptoError(VeriteeError):
    """A cryptographic recipe failed."""


class DecryptionError(CryptoError):
    """An envelope or ciphertext could not be opened.

    Deliberately opaque: wrong key, wrong context, truncation and tampering all give the same
    message, so that the error is no oracle.
    """


class ProofError(CryptoError):
    """A zero-knowledge proof (DLEQ) or a verifiable secret share did not verify."""


class ThresholdError(CryptoError):
    """Too few valid shares to reach the threshold, or a protocol step out of order."""


class AttestationError(VeriteeError):
    """Producing or verifying TEE evidence failed."""


class TeeUnavailable(AttestationError):
    """The TEE device or service this backend needs is not there."""


class QuoteError(AttestationError):
    """The quote is malformed, tampered with, or its signature chain does not verify."""


class CollateralError(AttestationError):
    """Collateral is missing, does not match the quote, or is outside its validity window."""


class PolicyViolation(AttestationError):
    """The quote verified, but the policy rejects it (TCB status, advisory or measurement)."""


class ReportDataMismatch(AttestationError):
    """The quote's report data does not bind the expected keys, context and nonce."""


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
