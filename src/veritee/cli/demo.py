"""``veritee demo``: the whole confidential job flow in one process, on the embedded chain.

See :mod:`veritee.demo.story` for the story. Prints the aggregate statistics the researcher
receives, the payouts, the ``verify`` report and the time each step took.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.table import Table

from veritee.cli.output import console, emit_json

TOKEN = 10**18


def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    patients: Annotated[int, typer.Option(help="Rows in the synthetic dataset.", min=1)] = 5_000,
) -> None:
    """Run the confidential AI job flow end to end on an embedded chain (no node, no setup)."""
    from veritee.cli.verify import print_report
    from veritee.demo import run_demo

    started = time.perf_counter()
    if as_json:
        report = run_demo(patients=patients)
    else:
        console.print(
            "[bold]veritee demo[/bold]: embedded chain, simulated TEE, development keys "
            "([red]not secure[/red])"
        )
        with console.status("starting") as status:
            report = run_demo(lambda step: status.update(step), patients=patients)
    total = time.perf_counter() - started
    document = report.to_json()
    document["total_s"] = round(total, 3)
    if as_json:
        emit_json(document)
    else:
        _print_result(report.result, report.job_id, report.worker)
        _print_payouts(report.payouts, report.conserved)
        if report.verification is not None:
            print_report(report.verification)
        _print_timings(report.timings, total)
    if report.verification is None or not report.verification.ok:
        raise typer.Exit(1)


def _print_result(result: dict[str, Any], job_id: int, worker: str) -> None:
    outputs = result.get("outputs", {})
    overall = outputs.get("overall", {})
    console.print(f"\njob {job_id} ran on enclave {worker}; the researcher sees only aggregates:")
    table = Table(title="30-day readmission risk (synthetic patients)")
    table.add_column("statistic")
    table.add_column("value", justify="right")
    for name in ("rows", "mean", "std", "p10", "p50", "p90", "at_or_above_threshold"):
        if name in overall:
            value = overall[name]
            table.add_row(name, f"{value:,}" if isinstance(value, int) else f"{value:.4f}")
    console.print(table)


def _print_payouts(payouts: dict[str, int], conserved: bool) -> None:
    table = Table(title="Payouts (VRT, claimable on-chain)")
    table.add_column("party")
    table.add_column("amount", justify="right")
    for party, amount in payouts.items():
        table.add_row(party, f"{amount / TOKEN:,.4f}")
    console.print(table)
    console.print(f"escrow conserved: {conserved}")


def _print_timings(timings: dict[str, float], total: float) -> None:
    console.print("\ntimings:")
    for name, seconds in timings.items():
        console.print(f"  {name:<45} {seconds * 1000:>8.0f} ms")
    console.print(f"  {'total':<45} {total * 1000:>8.0f} ms")
