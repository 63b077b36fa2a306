"""``veritee verify job ID``: check every link of a job's evidence, one line per link."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from veritee.cli.connect import (
    BlobsOption,
    DeploymentOption,
    DevnetOption,
    JsonOption,
    RpcOption,
    open_session,
)
from veritee.cli.output import console, emit_json

app = typer.Typer(help="Verify what happened, from the chain and content-addressed evidence.")


@app.command("job")
def verify_job_command(
    job_id: Annotated[int, typer.Argument(help="Job id.")],
    platform_key: Annotated[
        list[str] | None,
        typer.Option(
            help="Simulated-TEE platform public key (hex or PEM file) to accept (development)."
        ),
    ] = None,
    collateral: Annotated[
        Path | None, typer.Option(help="Collateral JSON for real quotes (else the PCCS).")
    ] = None,
    rpc: RpcOption = None,
    deployment: DeploymentOption = None,
    blobs: BlobsOption = None,
    devnet: DevnetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Verify job ID end to end; exit status 1 if any link is broken."""
    from veritee.attestation.collateral import FileCollateral
    from veritee.blobs import open_store
    from veritee.sdk import VerifyOptions, verify_job

    with open_session(rpc=rpc, deployment=deployment, blobs=blobs, devnet=devnet) as session:
        keys = [_platform_key(k) for k in platform_key or []]
        if not keys and session.devnet is not None:
            keys = [bytes.fromhex(session.devnet.platform_key)]
        options = VerifyOptions(
            simulated_platform_keys=keys,
            collateral=FileCollateral(collateral) if collateral else None,
        )
        with open_store(session.require_blobs()) as store:
            report = verify_job(session.network, store, job_id, options)
    if as_json:
        emit_json(report.to_json())
    else:
        print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _platform_key(value: str) -> bytes:
    path = Path(value).expanduser()
    if path.is_file():
        return path.read_bytes()
    return bytes.fromhex(value.removeprefix("0x"))


def print_report(report: object) -> None:
    """The report as one line per check: a mark, the link, and its sentence."""
    from veritee.sdk import VerificationReport

    assert isinstance(report, VerificationReport)
    verdict = "[green]verified[/green]" if report.ok else "[red]NOT verified[/red]"
    console.print(f"job {report.job_id}: {verdict}")
    for check in report.checks:
        mark = (
            "[yellow]-[/yellow]"
            if check.skipped
            else ("[green]✓[/green]" if check.ok else "[red]✗[/red]")
        )
        console.print(f"  {mark} {check.name:<12} {check.detail}")
