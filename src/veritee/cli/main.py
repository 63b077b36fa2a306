"""Entry point of the ``veritee`` command: one sub-module per command group."""

from __future__ import annotations

import sys

import typer

from veritee.cli import attest, blobs, capsule, demo, devnet, gatekeeper, job, model, verify, worker
from veritee.cli.output import error_console
from veritee.exceptions import VeriteeError
from veritee.relayer import cli as relayer_cli

app = typer.Typer(
    name="veritee",
    help="Confidential and verifiable AI compute on an EVM chain.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command(name="demo")(demo.demo)
app.add_typer(devnet.app, name="devnet")
app.add_typer(attest.app, name="attest")
app.add_typer(gatekeeper.app, name="gatekeeper")
app.add_typer(model.app, name="model")
app.add_typer(capsule.app, name="capsule")
app.add_typer(blobs.app, name="blobs")
app.add_typer(job.app, name="job")
app.add_typer(verify.app, name="verify")
app.add_typer(relayer_cli.app, name="relayer")
app.add_typer(worker.app, name="worker")


def main() -> None:
    """Runs the CLI; a :class:`VeriteeError` prints its message and exits with status 1."""
    try:
        app()
    except VeriteeError as exc:
        error_console.print(f"[red]error:[/red] {exc}")
        sys.exit(1)
