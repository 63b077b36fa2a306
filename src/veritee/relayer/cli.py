"""``veritee relayer``: run a relayer daemon, or show what its database holds.

The command group is ``app``; ``python -m veritee.relayer run --config FILE`` runs it alone.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from veritee.cli.output import console, emit_json, error_console
from veritee.exceptions import VeriteeError

app = typer.Typer(
    help="Relay jobs to workers and signed results to the chain.", no_args_is_help=True
)

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config",
        metavar="FILE",
        help="JSON or TOML settings (see RelayerConfig); VERITEE_RELAYER_* fill gaps.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("run")
def run(config: ConfigOption, as_json: JsonOption = False) -> None:
    """Relay until SIGTERM or SIGINT."""
    from veritee.relayer.config import RelayerConfig
    from veritee.relayer.service import Relayer, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = RelayerConfig.from_file(config)

    def ready(relayer: Relayer) -> None:
        facts = {
            "event": "running",
            "address": relayer.address,
            "chain_id": settings.deployment.chain_id,
            "db_path": str(settings.db_path),
            "pid": os.getpid(),
        }
        if as_json:
            emit_json(facts)
        else:
            console.print(
                f"relayer {relayer.address} on chain {facts['chain_id']} ({facts['db_path']})"
            )
        sys.stdout.flush()

    serve(settings, ready)


@app.command("status")
def status(config: ConfigOption, as_json: JsonOption = False) -> None:
    """Jobs per delivery state, finished jobs and open settlements in the relayer's database."""
    from veritee.relayer.config import RelayerConfig
    from veritee.relayer.store import RelayerStore

    settings = RelayerConfig.from_file(config)
    with RelayerStore(settings.db_path) as store:
        cursor = store.cursor()
        counts = store.counts()
        facts: dict[str, object] = {
            "address": settings.address,
            "cursor": cursor.number if cursor else None,
            "jobs": counts,
            "open_submissions": len(store.submissions("recorded", "sent")),
        }
    if as_json:
        emit_json(facts)
    else:
        console.print(f"relayer {facts['address']}: cursor at block {facts['cursor']}")
        for state, count in sorted(counts.items()):
            console.print(f"  {state:<10} {count}")
        console.print(f"  open settlements: {facts['open_submissions']}")


def main() -> None:
    """``python -m veritee.relayer``: the command group alone."""
    try:
        app()
    except VeriteeError as exc:
        error_console.print(f"[red]error:[/red] {exc}")
        sys.exit(1)
