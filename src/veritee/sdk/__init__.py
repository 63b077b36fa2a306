"""veritee.sdk: submit confidential jobs, read their results, and verify them end to end.

- :class:`Client` (async) and :class:`SyncClient`: :meth:`~Client.workers` and
  :meth:`~Client.quote` before a job, :meth:`~Client.submit` (sealed input, exact fee, permit),
  :meth:`~Client.wait`, :meth:`~Client.result` and :meth:`~Client.verify` after it;
- pure decisions: :func:`choose_worker` (cheapest, least loaded, lowest address) and
  :class:`FeeQuote` / :func:`compute_price` (the contract's fee arithmetic);
- :mod:`veritee.sdk.verify`: the :class:`VerificationReport` of a job, one :class:`Check` per link.

Every result type has ``to_json()`` for ``--json`` output. docs/sdk.md is the guide.
"""

from veritee.sdk.client import Client
from veritee.sdk.fees import CapsuleFee, FeeQuote, compute_price, format_amount, protocol_fee
from veritee.sdk.options import ClientOptions
from veritee.sdk.records import JobProgress, SubmittedJob, job_info_to_json
from veritee.sdk.selection import WorkerCandidate, WorkerLoad, choose_worker, parse_worker_status
from veritee.sdk.sync import SyncClient
from veritee.sdk.verify import Check, VerificationReport, VerifyOptions, verify_job

__all__ = [
    "CapsuleFee",
    "Check",
    "Client",
    "ClientOptions",
    "FeeQuote",
    "JobProgress",
    "SubmittedJob",
    "SyncClient",
    "VerificationReport",
    "VerifyOptions",
    "WorkerCandidate",
    "WorkerLoad",
    "choose_worker",
    "compute_price",
    "format_amount",
    "job_info_to_json",
    "parse_worker_status",
    "protocol_fee",
    "verify_job",
]
