"""``veritee worker``: run a worker daemon (one TEE machine) from a configuration file."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from veritee.cli.output import console, emit_json, error_console
from veritee.exceptions import VeriteeError

app = typer.Typer(help="The TEE worker runtime.", no_args_is_help=True)


@app.command("run")
def run(
    config: Annotated[
        Path,
        typer.Option(
            "--config",
            metavar="FILE",
            help="JSON or TOML settings (see WorkerConfig); VERITEE_WORKER_* fill gaps.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line once up.")] = False,
) -> None:
    """Boot (attest, certify, register or resume) and serve jobs until SIGTERM or SIGINT."""
    from veritee.worker.config import WorkerConfig
    from veritee.worker.node import WorkerNode
    from veritee.worker.server import serve_async

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    node = WorkerNode(WorkerConfig.from_file(config))

    def ready(url: str) -> None:
        status = node.status()
        facts = {
            "event": "listening",
            "url": url,
            "enclave": status["enclave"],
            "operator": status["operator"],
            "measurement": status["measurement"],
            "tee_kind": status["tee_kind"],
            "certificate_expiry": status["certificate_expiry"],
            "pid": os.getpid(),
        }
        if as_json:
            emit_json(facts)
        else:
            console.print(f"worker {facts['enclave']} ({facts['tee_kind']}) on {url}")
        sys.stdout.flush()

    asyncio.run(serve_async(node, ready))


def main() -> None:
    """``python -m veritee.worker --config FILE [--json]``: the ``run`` command alone."""
    try:
        typer.run(run)
    except VeriteeError as exc:
        error_console.print(f"[red]error:[/red] {exc}")
        sys.exit(1)
