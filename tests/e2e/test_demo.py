"""The embedded demo, end to end: the story runs, pays everyone, and verifies all green."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from veritee.cli.main import app
from veritee.demo import DemoReport, run_demo

TOKEN = 10**18


STEPS: list[str] = []


@pytest.fixture(scope="module")
def report() -> DemoReport:
    return run_demo(STEPS.append, patients=800)


def test_the_researcher_gets_only_aggregates_over_every_row(report: DemoReport) -> None:
    outputs = report.result["outputs"]
    assert report.result["job_id"] == report.job_id
    assert outputs["overall"]["rows"] == 800
    assert (
        0.0
        <= outputs["overall"]["p10"]
        <= outputs["overall"]["p50"]
        <= outputs["overall"]["p90"]
        <= 1.0
    )
    assert sum(outputs["overall"]["histogram"]) == 800
    # No row-level value leaves the worker: the document is small whatever the row count.
    assert len(json.dumps(report.result)) < 4_000


def test_each_party_is_paid_as_priced_and_escrow_is_conserved(report: DemoReport) -> None:
    payouts = report.payouts
    assert payouts["hospital (data owner)"] == 15 * TOKEN
    assert payouts["model builder"] == 20 * TOKEN
    assert payouts["worker operator"] == 10 * TOKEN
    assert payouts["treasury"] > 0
    assert payouts["researcher refund"] == 0
    assert report.conserved


def test_verify_is_all_green_and_names_every_link(report: DemoReport) -> None:
    verification = report.verification
    assert verification is not None and verification.ok
    names = [check.name for check in verification.checks]
    for link in ("settlement", "certificate", "quote", "policy", "result", "signature", "payments"):
        assert link in names
    assert all(check.ok and not check.skipped for check in verification.checks)


def test_steps_are_timed_in_order(report: DemoReport) -> None:
    assert list(report.timings) == STEPS
    assert all(seconds >= 0 for seconds in report.timings.values())


def test_the_cli_prints_one_json_document() -> None:
    result = CliRunner().invoke(app, ["demo", "--json", "--patients", "200"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output.strip().splitlines()[-1])
    assert document["verify"]["ok"] is True
    assert document["result"]["outputs"]["overall"]["rows"] == 200
    assert set(document["timings_s"]) >= {"deploy contracts", "verify the job end to end"}
