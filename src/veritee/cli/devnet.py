"""``veritee devnet``: the local anvil development network."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from veritee.chain.backend import ANVIL_VERSION, install_anvil
from veritee.cli.output import console, emit_json

app = typer.Typer(
    help="Local development network: anvil, gatekeepers, workers, relayer.", no_args_is_help=True
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


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


DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="Where the network lives [default: $VERITEE_HOME/devnet]"),
]


@app.command("up")
def up(
    directory: DirOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=8)] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Start anvil, 3 gatekeepers (t=2), workers, a blob server and a relayer as processes."""
    from veritee.devnet.launcher import devnet_up

    started = time.perf_counter()
    if as_json:
        state = devnet_up(directory, workers=workers)
    else:
        with console.status("starting the development network") as status:
            state = devnet_up(
                directory, workers=workers, progress=lambda s: status.update(f"starting {s}")
            )
    report = {
        "directory": str(state.directory),
        "rpc_url": state.rpc_url,
        "chain_id": state.chain_id,
        "blob_url": state.blob_url,
        "model_id": state.model_id,
        "parts": [part.to_json() for part in state.parts],
        "seconds": round(time.perf_counter() - started, 1),
    }
    if as_json:
        emit_json(report)
        return
    table = Table(title=f"development network in {state.directory} (keys are public)")
    for column in ("part", "pid", "url"):
        table.add_column(column)
    for part in state.parts:
        table.add_row(part.name, str(part.pid), part.url)
    console.print(table)
    console.print(
        f"risk model id {state.model_id}; up in {report['seconds']} s. "
        "Try `veritee demo`, `veritee job submit`, `veritee devnet status`."
    )


@app.command("down")
def down(directory: DirOption = None, as_json: JsonFlag = False) -> None:
    """Stop exactly the processes `up` started."""
    from veritee.devnet.launcher import devnet_down

    stopped = devnet_down(directory)
    if as_json:
        emit_json({"stopped": [part.to_json() for part in stopped]})
    else:
        for part in stopped:
            console.print(f"stopped {part.name} (pid {part.pid})")
        console.print(f"{len(stopped)} processes stopped")


@app.command("status")
def status(directory: DirOption = None, as_json: JsonFlag = False) -> None:
    """Each part's process and health."""
    from veritee.devnet.launcher import devnet_status

    report = devnet_status(directory)
    healthy = all(part.healthy for part in report)
    if as_json:
        emit_json({"healthy": healthy, "parts": [part.to_json() for part in report]})
    else:
        table = Table(title="development network")
        for column in ("part", "pid", "url", "state"):
            table.add_column(column)
        for part in report:
            colour = "green" if part.healthy else "red"
            table.add_row(part.name, str(part.pid), part.url, f"[{colour}]{part.detail}[/]")
        console.print(table)
    if not healthy:
        raise typer.Exit(1)
