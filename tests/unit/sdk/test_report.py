"""The verdict over a report's checks, its JSON, and raise_for_failure."""

from __future__ import annotations

import json

import pytest

from veritee.exceptions import VerificationFailed
from veritee.sdk import Check, VerificationReport
from veritee.sdk.verify import verdict

PASS = Check.passed("settlement", "Job 1 settled.", block=3)
FAIL = Check.failed("result", "The result blob is unavailable.", result_hash=b"\xab" * 32)
SKIP = Check.skip("signature", "Not applicable: the job expired.")


def test_verdict() -> None:
    assert verdict([PASS])
    assert verdict([PASS, SKIP])
    assert not verdict([PASS, FAIL])
    assert not verdict([FAIL, SKIP])
    assert not verdict([SKIP])  # nothing was checked
    assert not verdict([])


def test_statuses() -> None:
    assert (PASS.status, FAIL.status, SKIP.status) == ("pass", "fail", "skip")
    assert SKIP.ok and SKIP.skipped


def test_report_from_checks_and_lookup() -> None:
    report = VerificationReport.from_checks(1, [PASS, SKIP, FAIL])
    assert not report.ok
    assert report.failures == [FAIL]
    assert report.check("result") is FAIL
    with pytest.raises(KeyError):
        report.check("quote")


def test_raise_for_failure_carries_the_report_and_names_the_broken_links() -> None:
    report = VerificationReport.from_checks(7, [PASS, FAIL])
    with pytest.raises(VerificationFailed) as caught:
        report.raise_for_failure()
    assert caught.value.report is report
    assert "job 7 failed verification" in str(caught.value)
    assert "result: The result blob is unavailable." in str(caught.value)
    VerificationReport.from_checks(7, [PASS, SKIP]).raise_for_failure()


def test_json_is_plain_with_hex_bytes() -> None:
    report = VerificationReport.from_checks(2, [PASS, FAIL, SKIP])
    document = json.loads(json.dumps(report.to_json()))
    assert document["ok"] is False and document["job_id"] == 2
    assert [c["status"] for c in document["checks"]] == ["pass", "fail", "skip"]
    assert document["checks"][1]["evidence"]["result_hash"] == "0x" + "ab" * 32


def test_summary() -> None:
    assert VerificationReport.from_checks(3, [PASS, SKIP]).summary() == (
        "job 3 verified: every link holds (1 checked, 1 not applicable)"
    )
