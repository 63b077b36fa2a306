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
    │       └── QuorumError      fewer than t gatekeepers answered validly; says what each did
    ├── AttestationError         producing or verifying TEE evidence failed
    │   ├── TeeUnavailable       the TEE device or service is not there
    │   ├── QuoteError           the quote is malformed, tampered, or its chain is invalid
    │   ├── CollateralError      collateral missing, mismatched, or outside its window
    │   ├── PolicyViolation      the quote verified but the policy rejects it
    │   └── ReportDataMismatch   the quote's report data does not bind the expected keys and nonce
    ├── GatekeeperError          a gatekeeper refused a request or could not serve it
    │   ├── MalformedRequest     the request is not well-formed (HTTP 400)
    │   ├── AccessDenied         the policy or the attestation check refuses; names why (403)
    │   ├── RateLimited          too many requests from one worker (HTTP 429)
    │   ├── KeyNotReady          this gatekeeper holds no published key share yet (HTTP 503)
    │   └── CeremonyError        a key ceremony message is out of order or inconsistent (409)
    ├── BlobError                storing or fetching a content-addressed blob failed
    │   ├── BlobNotFound         no blob with that hash in the store
    │   ├── BlobIntegrityError   the bytes fetched do not hash to the address asked for
    │   └── BlobTooLarge         a blob exceeds the configured size limit
    ├── CapsuleFormatError       a capsule file is malformed, truncated or of an unknown version
    ├── ModelError               a model could not be checked, loaded or run
    │   ├── ModelIntegrityError  the artifact's SHA-256 differs from the registry's
    │   ├── UnsupportedModel     no runtime for the model's format
    │   └── ModelRuntimeError    the runtime failed to load the model or to run it on the input
    ├── JobError                 a job could not be accepted, run, found or decoded
    │   ├── JobRejected          a worker refused a job; carries the job id and the reason
    │   ├── JobFailed            the job settled as failed; carries the job id and the reason code
    │   ├── TaskError            (veritee.models) a job's task cannot run; carries its failure code
    │   ├── DatasetError         (veritee.models) a capsule's dataset is not readable as features
    │   └── JobTimeout           the job did not settle in the time allowed
    ├── VerificationFailed       ``verify`` found a broken link; carries the full report
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
    "AccessDenied",
    "AnvilNotInstalled",
    "AttestationError",
    "AuditLogCorrupt",
    "BlobError",
    "BlobIntegrityError",
    "BlobNotFound",
    "BlobTooLarge",
    "CapsuleFormatError",
    "CeremonyError",
    "ChainError",
    "CollateralError",
    "CompilationError",
    "ConfigError",
    "ContractRevert",
    "CryptoError",
    "DecryptionError",
    "DeploymentError",
    "GatekeeperError",
    "JobError",
    "JobFailed",
    "JobRejected",
    "JobTimeout",
    "KeyNotReady",
    "MalformedRequest",
    "ModelError",
    "ModelIntegrityError",
    "ModelRuntimeError",
    "NodeError",
    "PolicyViolation",
    "ProofError",
    "QuorumError",
    "QuoteError",
    "RateLimited",
    "ReportDataMismatch",
    "SignatureError",
    "TeeUnavailable",
    "ThresholdError",
    "TransactionError",
    "UnsupportedModel",
    "VerificationFailed",
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


class QuorumError(ThresholdError):
    """Fewer than ``t`` gatekeepers gave a valid answer.

    ``outcomes`` maps each gatekeeper's index to what happened to its request (a valid share, a
    bad proof, a refusal with its reason, or no answer), so the caller can see who failed how.
    """

    def __init__(self, message: str, outcomes: dict[int, object] | None = None) -> None:
        super().__init__(message)
        self.outcomes: dict[int, object] = dict(outcomes or {})


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


class GatekeeperError(VeriteeError):
    """A gatekeeper refused a request or could not serve it.

    ``reason`` is the short, stable phrase shown to the asker and written to the audit log
    (for a policy denial, the :class:`~veritee.gatekeeper.policy.Denial` value).
    """

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(detail or reason)
        self.reason = reason


class MalformedRequest(GatekeeperError):
    """The request is not well-formed: bad JSON, a missing field, a value of the wrong shape."""


class AccessDenied(GatekeeperError):
    """The on-chain policy, or the attestation check, refuses the request; ``reason`` says why."""


class RateLimited(GatekeeperError):
    """Too many requests from one worker; retry later."""


class KeyNotReady(GatekeeperError):
    """This gatekeeper holds no share of a published network key yet."""


class CeremonyError(GatekeeperError):
    """A key ceremony message arrived out of order, from a non-member, or inconsistent."""


class BlobError(VeriteeError):
    """Storing or fetching a content-addressed blob failed."""


class BlobNotFound(BlobError):
    """The store holds no blob with the requested SHA-256."""


class BlobIntegrityError(BlobError):
    """The bytes received do not hash to the SHA-256 they were asked for (or declared as)."""


class BlobTooLarge(BlobError):
    """A blob is larger than the configured limit."""


class CapsuleFormatError(VeriteeError):
    """A capsule file is malformed, truncated, or of an unknown version or suite."""


class ModelError(VeriteeError):
    """A model artifact could not be checked, loaded or run."""


class ModelIntegrityError(ModelError):
    """A model artifact's SHA-256 differs from the one the Models registry records."""


class UnsupportedModel(ModelError):
    """No runtime is installed for the model's format."""


class ModelRuntimeError(ModelError):
    """The runtime could not load the model, or failed to run it on the given input."""


class JobError(VeriteeError):
    """A job could not be accepted, run, found or decoded."""


class JobRejected(JobError):
    """A worker refused a job; ``job_id`` and ``reason`` say which and why."""

    def __init__(self, job_id: int, reason: str) -> None:
        super().__init__(f"job {job_id} rejected: {reason}")
        self.job_id = job_id
        self.reason = reason


class JobFailed(JobError):
    """A job settled as failed (refunded); ``code`` is the worker's failure code."""

    def __init__(self, job_id: int, code: int, reason: str) -> None:
        super().__init__(f"job {job_id} failed ({code}): {reason}")
        self.job_id = job_id
        self.code = code
        self.reason = reason


class JobTimeout(JobError):
    """A job did not reach a final state in the time allowed."""


class VerificationFailed(VeriteeError):
    """``verify`` found at least one broken link; ``report`` holds every check and its detail."""

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


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
