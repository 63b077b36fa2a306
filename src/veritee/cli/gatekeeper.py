"""``veritee gatekeeper``: run a gatekeeper daemon from a configuration file."""

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

app = typer.Typer(help="Threshold key management gatekeepers.", no_args_is_help=True)


@app.command("run")
def run(
    config: Annotated[
        Path,
        typer.Option(
            "--config",
            metavar="FILE",
            help="JSON or TOML settings (see GatekeeperConfig); VERITEE_GATEKEEPER_* fill gaps.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line once up.")] = False,
) -> None:
    """Serve a gatekeeper until SIGTERM or SIGINT."""
    from veritee.gatekeeper.config import GatekeeperConfig
    from veritee.gatekeeper.node import GatekeeperNode
    from veritee.gatekeeper.server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    node = GatekeeperNode(GatekeeperConfig.from_file(config))

    def ready(url: str) -> None:
        facts = {
            "event": "listening",
            "url": url,
            "index": node.index,
            "address": node.address,
            "pid": os.getpid(),
            "key_ready": node.ready,
        }
        if as_json:
            emit_json(facts)
        else:
            state = "key share active" if facts["key_ready"] else "no key share yet"
            console.print(f"gatekeeper {node.index} ({node.address}) on {url}: {state}")
        sys.stdout.flush()

    asyncio.run(serve(node, ready))


def main() -> None:
    """``python -m veritee.gatekeeper --config FILE [--json]``: the ``run`` command alone."""
    try:
        typer.run(run)
    except VeriteeError as exc:
        error_console.print(f"[red]error:[/red] {exc}")
        sys.exit(1)
