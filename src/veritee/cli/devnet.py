"""``veritee devnet``: the local anvil development network."""

from __future__ import annotations

from typing import Annotated

import typer

from veritee.chain.backend import ANVIL_VERSION, install_anvil
from veritee.cli.output import console, emit_json

app = typer.Typer(help="Local development network (anvil).", no_args_is_help=True)


@app.command("install-anvil")
def install(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Install the pinned anvil binary from npm (needs Node.js and npm)."""
    path = install_anvil()
    if as_json:
        emit_json({"anvil": str(path), "version": ANVIL_VERSION})
    else:
        console.print(f"anvil {ANVIL_VERSION} at {path}")
