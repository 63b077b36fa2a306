"""``veritee blobs``: serve a content-addressed blob directory over HTTP."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from veritee.cli.output import console, emit_json

app = typer.Typer(help="Content-addressed blob storage.", no_args_is_help=True)


@app.command("serve")
def serve(
    directory: Annotated[Path, typer.Option("--dir", help="Directory holding the blobs.")],
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 0,
    max_size: Annotated[int, typer.Option(help="Largest blob accepted, in bytes.")] = 2**30,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line once up.")] = False,
) -> None:
    """Serve DIR at http://HOST:PORT/blobs until SIGTERM or SIGINT."""
    from veritee.blobs import LocalBlobStore, serve_blobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    store = LocalBlobStore(directory, max_size=max_size)

    def ready(url: str) -> None:
        if as_json:
            emit_json({"event": "listening", "url": url, "pid": os.getpid()})
        else:
            console.print(f"blob store {directory} at {url}")
        sys.stdout.flush()

    serve_blobs(store, host, port, ready=ready)
