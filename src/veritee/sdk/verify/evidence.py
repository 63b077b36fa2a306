"""Gathering a job's own evidence: its record and events, result blob, signed batch, payees.

This module and :mod:`.worker_evidence` hold all the I/O of ``verify``. Payees are read at the
settlement block and the fee rate at the submission block, never "now". What cannot be read
becomes a ``problem`` string that the checks (:mod:`.checks`) report; nothing here decides
whether a link holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_typing import HexStr
from eth_utils import to_checksum_address
from web3.exceptions import Web3Exception

from veritee.blobs import fetch
from veritee.chain.clients import (
    ChainEvent,
    ContractClient,
    JobInfo,
    JobsClient,
    Network,
)
from veritee.chain.types import CapsuleId, JobId, JobStatus
from veritee.crypto.typed_data import Domain, JobResult
from veritee.exceptions import BlobError, BlobIntegrityError
from veritee.sdk.discovery import worker_terms

__all__ = [
    "BatchFacts",
    "JobFacts",
    "PaymentFacts",
    "ResultFacts",
    "Unreadable",
    "batch_facts",
    "decode_call",
    "job_facts",
    "outcome_event",
    "payment_facts",
    "result_facts",
]

_OUTCOMES = {
    JobStatus.SETTLED: "JobSettled",
    JobStatus.FAILED: "JobFailed",
    JobStatus.EXPIRED: "JobExpired",
}


class Unreadable(Exception):
    """A piece of evidence could not be read; the message says why (becomes a ``problem``)."""


def outcome_event(
    jobs: JobsClient, job_id: int, status: JobStatus, from_block: int = 0
) -> ChainEvent | None:
    """The event that ended job ``job_id`` in ``status`` (settled, failed or expired), if any."""
    name = _OUTCOMES.get(status)
    if name is None:
        return None
    events = jobs.events(name, from_block, argument_filters={"job_id": job_id})
    return events[-1] if events else None


@dataclass(frozen=True)
class JobFacts:
    """The job as recorded, its submission, and the event and block time that ended it."""

    job_id: int
    job: JobInfo | None
    submitted: ChainEvent | None
    outcome: ChainEvent | None
    outcome_time: int | None


def _block_time(network: Network, block: int) -> int:
    return int(network.w3.eth.get_block(block)["timestamp"])


def job_facts(network: Network, job_id: int) -> JobFacts:
    job = network.jobs.job(JobId(job_id))
    if job.status is JobStatus.UNKNOWN:
        return JobFacts(job_id, None, None, None, None)
    start = network.deployment.block
    submitted = network.jobs.events("JobSubmitted", start, argument_filters={"job_id": job_id})
    outcome = outcome_event(network.jobs, job_id, job.status, start)
    when = _block_time(network, outcome.block_number) if outcome is not None else None
    return JobFacts(job_id, job, submitted[-1] if submitted else None, outcome, when)


def decode_call(
    client: ContractClient, tx_hash: str, functions: Sequence[str]
) -> tuple[str, dict[str, Any]]:
    """The function and arguments of the transaction ``tx_hash``, a direct call to ``client``."""
    try:
        tx = client.w3.eth.get_transaction(HexStr(tx_hash))
    except (Web3Exception, ValueError) as exc:
        raise Unreadable(f"transaction {tx_hash} cannot be read: {exc}") from exc
    target = tx.get("to")
    if target is None or to_checksum_address(target) != client.address:
        raise Unreadable(
            f"transaction {tx_hash} calls {target}, not the {client.contract_name} contract "
            "directly, so its arguments cannot be decoded"
        )
    try:
        function, arguments = client.contract.decode_function_input(tx["input"])
    except (Web3Exception, ValueError) as exc:
        raise Unreadable(f"transaction {tx_hash} input cannot be decoded: {exc}") from exc
    name = str(function.fn_name)
    if name not in functions:
        raise Unreadable(f"transaction {tx_hash} calls {name}, not {' or '.join(functions)}")
    return name, dict(arguments)


@dataclass(frozen=True)
class ResultFacts:
    """The result blob the chain names: its bytes, or why they could not be had."""

    uri: str
    expected: bytes
    blob: bytes | None
    problem: str | None
    corrupt: bool


def result_facts(uri: str, expected: bytes) -> ResultFacts:
    try:
        blob = fetch(uri, expected=expected)
    except BlobIntegrityError as exc:
        return ResultFacts(uri, expected, None, str(exc), corrupt=True)
    except BlobError as exc:
        return ResultFacts(uri, expected, None, str(exc), corrupt=False)
    return ResultFacts(uri, expected, blob, None, corrupt=False)


@dataclass(frozen=True)
class BatchFacts:
    """The signed result batch a settlement transaction carried."""

    transaction: str
    worker: str | None
    results: tuple[JobResult, ...]
    signature: bytes | None
    domain: Domain | None
    problem: str | None = None


def batch_facts(network: Network, outcome: ChainEvent) -> BatchFacts:
    jobs = network.jobs.at_block(outcome.block_number)
    tx = outcome.transaction_hash
    try:
        _, arguments = decode_call(jobs, tx, ("settle",))
    except Unreadable as exc:
        return BatchFacts(tx, None, (), None, None, str(exc))
    results = tuple(
        JobResult(int(r["job_id"]), bytes(r["result_hash"]), str(r["result_uri"]), int(r["status"]))
        for r in arguments["results"]
    )
    worker = to_checksum_address(arguments["worker"])
    return BatchFacts(tx, worker, results, bytes(arguments["signature"]), jobs.domain())


@dataclass(frozen=True)
class PaymentFacts:
    """Who was due what: the protocol fee rate at submission, the payees at settlement."""

    protocol_fee_bps: int | None
    operator: str | None
    treasury: str | None
    capsule_owners: dict[int, str]


def payment_facts(network: Network, facts: JobFacts) -> PaymentFacts:
    job, outcome = facts.job, facts.outcome
    if job is None or outcome is None:
        return PaymentFacts(None, None, None, {})
    bps = None
    if facts.submitted is not None:
        bps = network.jobs.at_block(facts.submitted.block_number).protocol_fee_bps()
    at = network.at_block(outcome.block_number)
    owners = {int(c): at.capsules.capsule(CapsuleId(c)).owner for c in job.capsule_ids}
    # The operator Jobs.settle paid: Workers.terms at the settlement block.
    operator, _ = worker_terms(at.workers, job.worker)
    return PaymentFacts(bps, operator, at.jobs.treasury(), owners)
