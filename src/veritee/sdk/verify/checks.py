"""The job's own links: its settlement, its result blob, the worker's signature, the payments.

Pure functions from gathered evidence (:mod:`.evidence`) to a :class:`~.report.Check`; no I/O.
"""

from __future__ import annotations

import hashlib
from typing import Any

from veritee.chain.types import JobStatus
from veritee.crypto.typed_data import JobResult, batch_digest, recover_digest
from veritee.exceptions import SignatureError
from veritee.sdk.fees import format_amount, protocol_fee
from veritee.sdk.records import status_name
from veritee.sdk.verify.evidence import BatchFacts, JobFacts, PaymentFacts, ResultFacts
from veritee.sdk.verify.report import Check

__all__ = ["check_payments", "check_result", "check_settlement", "check_signature"]


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _submission_mismatches(facts: JobFacts) -> list[str]:
    job, event = facts.job, facts.submitted
    assert job is not None and event is not None
    args = event.args
    expected: dict[str, Any] = {
        "requester": job.requester,
        "worker": job.worker,
        "model_id": job.model_id,
        "capsule_ids": list(job.capsule_ids),
        "input_hash": job.input_hash,
        "input_uri": job.input_uri,
        "result_key": job.result_key,
        "max_fee": job.max_fee,
        "price": job.price,
        "deadline": job.deadline,
    }
    return [name for name, value in expected.items() if args.get(name) != value]


def check_settlement(facts: JobFacts) -> Check:
    """(a) The job exists, its submission matches its record, and it reached a final state."""
    name = "settlement"
    job = facts.job
    if job is None:
        return Check.failed(name, f"Job {facts.job_id} does not exist on this chain.")
    evidence: dict[str, Any] = {
        "status": status_name(job.status),
        "requester": job.requester,
        "worker": job.worker,
        "model_id": job.model_id,
        "capsule_ids": list(job.capsule_ids),
        "input_hash": job.input_hash,
        "input_uri": job.input_uri,
        "result_key": job.result_key,
        "deadline": job.deadline,
    }
    if facts.submitted is None:
        return Check.failed(name, f"Job {job.job_id} has no JobSubmitted event.", **evidence)
    evidence["submitted_block"] = facts.submitted.block_number
    evidence["submit_transaction"] = facts.submitted.transaction_hash
    mismatches = _submission_mismatches(facts)
    if mismatches:
        return Check.failed(
            name,
            f"Job {job.job_id}'s record differs from its JobSubmitted event in "
            f"{', '.join(mismatches)}.",
            **evidence,
        )
    if job.status is JobStatus.PENDING:
        return Check.failed(
            name,
            f"Job {job.job_id} is still pending (deadline {job.deadline}): it has not settled, "
            "so there is nothing final to verify yet.",
            **evidence,
        )
    outcome = facts.outcome
    if outcome is None:
        return Check.failed(
            name,
            f"Job {job.job_id} is {evidence['status']} but its event was not found.",
            **evidence,
        )
    evidence.update(
        event=outcome.name,
        block=outcome.block_number,
        transaction=outcome.transaction_hash,
        time=facts.outcome_time,
    )
    for field in ("result_hash", "result_uri", "reason"):
        if field in outcome.args:
            evidence[field] = outcome.args[field]
    where = f"at block {outcome.block_number} (time {facts.outcome_time})"
    if job.status is JobStatus.SETTLED:
        detail = f"Job {job.job_id} settled successfully {where}, run by worker {job.worker}."
    elif job.status is JobStatus.FAILED:
        detail = (
            f"Job {job.job_id} settled as failed with code {outcome.args['reason']} {where}; "
            f"worker {job.worker} reported it could not run the job."
        )
    else:
        detail = f"Job {job.job_id} expired {where} without a result from worker {job.worker}."
    return Check.passed(name, detail, **evidence)


def _not_run(facts: JobFacts) -> str | None:
    """Why result-dependent checks do not apply, if they do not."""
    job = facts.job
    if job is None or facts.outcome is None:
        return "the job has no settlement to check"
    if job.status is JobStatus.EXPIRED:
        return "the job expired, so no worker result was ever recorded"
    return None


def check_result(facts: JobFacts, result: ResultFacts | None) -> Check:
    """(e) The result blob the chain names hashes to the on-chain ``result_hash``."""
    name = "result"
    reason = _not_run(facts)
    if reason is not None or result is None:
        return Check.skip(name, f"Not applicable: {reason}.")
    evidence: dict[str, Any] = {"result_uri": result.uri, "result_hash": result.expected}
    if result.blob is None:
        if result.corrupt:
            return Check.failed(
                name,
                f"The result blob at {result.uri} does not hash to the on-chain result_hash "
                f"{_hex(result.expected)} ({result.problem}).",
                **evidence,
            )
        return Check.failed(
            name,
            f"The result blob is unavailable ({result.problem}), so it cannot be checked "
            "against the on-chain result_hash.",
            **evidence,
        )
    actual = hashlib.sha256(result.blob).digest()
    evidence.update(actual_hash=actual, size=len(result.blob))
    if actual != result.expected:
        return Check.failed(
            name,
            f"The result blob hashes to {_hex(actual)}, not the on-chain result_hash "
            f"{_hex(result.expected)}.",
            **evidence,
        )
    return Check.passed(
        name,
        f"The result blob ({len(result.blob)} bytes) hashes to the on-chain result_hash "
        f"{_hex(result.expected)}.",
        **evidence,
    )


def _expected_result(facts: JobFacts) -> JobResult:
    assert facts.outcome is not None
    args = facts.outcome.args
    status = 0 if facts.outcome.name == "JobSettled" else int(args["reason"])
    return JobResult(facts.job_id, bytes(args["result_hash"]), str(args["result_uri"]), status)


def check_signature(facts: JobFacts, batch: BatchFacts | None) -> Check:
    """(f) The settlement batch is signed by the job's worker and carries the job's result."""
    name = "signature"
    reason = _not_run(facts)
    if reason is not None or batch is None:
        return Check.skip(name, f"Not applicable: {reason}.")
    assert facts.job is not None
    worker = facts.job.worker
    evidence: dict[str, Any] = {"transaction": batch.transaction, "worker": worker}
    if batch.problem is not None or batch.signature is None or batch.domain is None:
        return Check.failed(
            name, f"The settlement batch cannot be read: {batch.problem}.", **evidence
        )
    digest = batch_digest(batch.domain, batch.worker or worker, batch.results)
    evidence.update(digest=digest, batch_size=len(batch.results), signature=batch.signature)
    if batch.worker != worker:
        return Check.failed(
            name,
            f"The batch names worker {batch.worker}, not the job's worker {worker}.",
            **evidence,
        )
    try:
        signer = recover_digest(digest, batch.signature)
    except SignatureError as exc:
        return Check.failed(name, f"The batch signature is invalid: {exc}.", **evidence)
    evidence["signer"] = signer
    if signer != worker:
        return Check.failed(
            name,
            f"The batch is signed by {signer}, not by the worker's enclave {worker}.",
            **evidence,
        )
    expected = _expected_result(facts)
    mine = [r for r in batch.results if r.job_id == facts.job_id]
    if mine != [expected]:
        return Check.failed(
            name,
            f"The signed batch does not carry job {facts.job_id}'s result as the "
            f"{facts.outcome.name if facts.outcome else 'settlement'} event records it.",
            **evidence,
        )
    return Check.passed(
        name,
        f"The settlement batch ({len(batch.results)} result(s)) is signed by the worker's enclave "
        f"key {worker} and carries this job's result exactly as recorded.",
        **evidence,
    )


def _payees(facts: JobFacts, payments: PaymentFacts) -> list[dict[str, Any]]:
    job = facts.job
    assert job is not None
    rows = [{"role": "model owner", "address": job.model_owner, "amount": job.model_fee}]
    for capsule_id, fee in zip(job.capsule_ids, job.capsule_fees, strict=True):
        owner = payments.capsule_owners.get(int(capsule_id))
        rows.append({"role": f"capsule {capsule_id} owner", "address": owner, "amount": fee})
    rows.append({"role": "worker operator", "address": payments.operator, "amount": job.worker_fee})
    rows.append({"role": "treasury", "address": payments.treasury, "amount": job.protocol_fee})
    return rows


def check_payments(facts: JobFacts, payments: PaymentFacts) -> Check:
    """(g) Who was paid what, against the fees fixed at submission; the refund to the requester."""
    name = "payments"
    job, outcome = facts.job, facts.outcome
    if job is None or outcome is None:
        return Check.skip(name, "Not applicable: the job has no settlement to check.")
    refund = int(outcome.args["refund"])
    evidence: dict[str, Any] = {
        "max_fee": job.max_fee,
        "refund": refund,
        "requester": job.requester,
    }
    if job.status is not JobStatus.SETTLED:
        what = "failed" if job.status is JobStatus.FAILED else "expired"
        if job.status is JobStatus.EXPIRED:
            evidence.update(
                slashed=outcome.args["slashed"], caller_reward=outcome.args["caller_reward"]
            )
        if refund != job.max_fee:
            return Check.failed(
                name,
                f"The job {what}, but the requester was refunded {format_amount(refund)}, not "
                f"the full max fee of {format_amount(job.max_fee)}.",
                **evidence,
            )
        return Check.passed(
            name,
            f"The job {what}, so nobody was paid: the requester {job.requester} was refunded the "
            f"full max fee of {format_amount(job.max_fee)}.",
            paid=0,
            payees=[],
            **evidence,
        )
    paid = int(outcome.args["paid"])
    rows = _payees(facts, payments)
    evidence.update(paid=paid, price=job.price, payees=rows)
    problems = []
    if paid != job.price:
        problems.append(
            f"paid {format_amount(paid)} instead of the price {format_amount(job.price)} "
            "fixed at submission"
        )
    if refund != job.max_fee - job.price:
        problems.append(
            f"refunded {format_amount(refund)} instead of {format_amount(job.max_fee - job.price)}"
        )
    if payments.protocol_fee_bps is not None:
        evidence["protocol_fee_bps"] = payments.protocol_fee_bps
        subtotal = job.model_fee + sum(job.capsule_fees) + job.worker_fee
        due = protocol_fee(subtotal, payments.protocol_fee_bps)
        if due != job.protocol_fee:
            problems.append(
                f"a protocol fee of {format_amount(job.protocol_fee)} instead of "
                f"{format_amount(due)}"
            )
    if any(row["address"] is None for row in rows):
        problems.append("a payee that cannot be identified")
    if problems:
        return Check.failed(name, f"The settlement {'; '.join(problems)}.", **evidence)
    shares = ", ".join(
        f"{row['role']} {row['address']} {format_amount(row['amount'])}" for row in rows
    )
    return Check.passed(
        name,
        f"The job paid {format_amount(paid)} as fixed at submission ({shares}) and refunded "
        f"{format_amount(refund)} of the max fee of {format_amount(job.max_fee)} to the "
        "requester.",
        **evidence,
    )
