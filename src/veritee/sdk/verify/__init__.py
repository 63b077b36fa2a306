"""``veritee.sdk.verify``: check every link of a job's chain of evidence, and report each.

:func:`verify_job` returns a :class:`VerificationReport` of :class:`Check` s, one per link
(settlement, certificate, quote, policy, result, signature, payments); each says in one sentence
what held or what broke and carries the hashes, addresses and blocks it compared.
:meth:`VerificationReport.raise_for_failure` turns a broken link into
:class:`~veritee.exceptions.VerificationFailed`.
"""

from veritee.sdk.verify.report import Check, VerificationReport, verdict
from veritee.sdk.verify.run import VerifyOptions, verify_job

__all__ = ["Check", "VerificationReport", "VerifyOptions", "verdict", "verify_job"]
