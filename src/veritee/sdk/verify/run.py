"""``verify``: gather a job's evidence, check every link, report each.

The order of the links is the order of trust: (a) the job and its settlement on-chain; (b) the
gatekeepers' certificate of the worker; (c) the TEE quote behind the certificate; (d) the TEE
policy at settlement; (e) the result blob against its on-chain hash; (f) the worker's signature
over the settled batch; (g) the payments. A link that cannot be read is a failed check that says
why, never a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from veritee.attestation import QuotePolicy
from veritee.attestation.collateral import CollateralSource
from veritee.blobs import BlobStore
from veritee.chain.clients import Network
from veritee.chain.types import JobStatus
from veritee.sdk.verify.attestation_checks import check_certificate, check_policy, check_quote
from veritee.sdk.verify.checks import (
    check_payments,
    check_result,
    check_settlement,
    check_signature,
)
from veritee.sdk.verify.evidence import (
    JobFacts,
    batch_facts,
    job_facts,
    payment_facts,
    result_facts,
)
from veritee.sdk.verify.report import Check, VerificationReport
from veritee.sdk.verify.worker_evidence import certificate_facts, policy_facts, quote_facts

__all__ = ["WORKER_LINKS", "VerifyOptions", "verify_job"]

#: The checks that concern the worker's attestation, in report order.
WORKER_LINKS = ("certificate", "quote", "policy")


@dataclass(frozen=True)
class VerifyOptions:
    """How to re-verify the worker's quote.

    ``simulated_platform_keys``: development platform public keys (PEM or raw) that may sign
    simulated quotes; without one a simulated quote fails the check. ``collateral`` and
    ``quote_policy`` verify real quotes (the policy defaults to any TCB status the on-chain policy
    accepted at settlement); ``now`` is the time the quote is judged at (default: the settlement
    time). ``quote_store`` is where the worker's quote is looked up by its hash (default: the
    client's blob store).
    """

    simulated_platform_keys: Sequence[bytes] = ()
    collateral: CollateralSource | None = None
    quote_policy: QuotePolicy | None = None
    now: int | None = None
    quote_store: BlobStore | None = None


def _worker_checks(
    network: Network, store: BlobStore, facts: JobFacts, options: VerifyOptions
) -> list[Check]:
    job, outcome = facts.job, facts.outcome
    if job is None or outcome is None or facts.outcome_time is None:
        reason = "Not applicable: the job has no settlement to check."
        return [Check.skip(name, reason) for name in WORKER_LINKS]
    if job.status is JobStatus.EXPIRED:
        reason = "Not applicable: the job expired, so no result from the worker is relied on."
        return [Check.skip(name, reason) for name in WORKER_LINKS]
    block, settled_at = outcome.block_number, facts.outcome_time
    certificate = certificate_facts(network, job.worker, outcome)
    checks = [check_certificate(certificate, settled_at)]
    cert = certificate.certificate
    quote = None
    policy = None
    if cert is not None:
        quote = quote_facts(network, options.quote_store or store, cert.quote_hash, block)
        policy = policy_facts(network, cert.tee_kind, cert.measurement, cert.tcb_status, block)
    checks.append(
        check_quote(
            cert,
            quote,
            platform_keys=options.simulated_platform_keys,
            collateral=options.collateral,
            quote_policy=options.quote_policy,
            now=options.now if options.now is not None else settled_at,
        )
    )
    checks.append(check_policy(policy))
    return checks


def verify_job(
    network: Network,
    store: BlobStore,
    job_id: int,
    options: VerifyOptions | None = None,
) -> VerificationReport:
    """Checks every link of job ``job_id`` and reports each (see the module docstring)."""
    options = options or VerifyOptions()
    facts = job_facts(network, job_id)
    checks = [check_settlement(facts)]
    checks += _worker_checks(network, store, facts, options)
    result = batch = None
    outcome = facts.outcome
    if facts.job is not None and outcome is not None and facts.job.status is not JobStatus.EXPIRED:
        result = result_facts(str(outcome.args["result_uri"]), bytes(outcome.args["result_hash"]))
        batch = batch_facts(network, outcome)
    checks.append(check_result(facts, result))
    checks.append(check_signature(facts, batch))
    checks.append(check_payments(facts, payment_facts(network, facts)))
    return VerificationReport.from_checks(job_id, checks)
