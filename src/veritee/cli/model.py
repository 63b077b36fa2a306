"""``veritee model``: register model artifacts and list the registry."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from veritee.chain.types import ModelId
from veritee.cli.connect import (
    AsOption,
    BlobsOption,
    DeploymentOption,
    DevnetOption,
    JsonOption,
    KeyOption,
    RpcOption,
    open_session,
)
from veritee.cli.output import console, emit_json

app = typer.Typer(help="The model registry.", no_args_is_help=True)
TOKEN = 10**18


@app.command("register")
def register(
    artifact: Annotated[Path, typer.Argument(help="The model file (e.g. .onnx).", exists=True)],
    name: Annotated[str, typer.Option(help="Model name.")],
    version: Annotated[str, typer.Option(help="Version string.")] = "1.0",
    model_format: Annotated[str, typer.Option("--format", help="Runtime format.")] = "onnx",
    price: Annotated[float, typer.Option(help="Price per use, in VRT.")] = 1.0,
    verify: Annotated[
        bool, typer.Option(help="Also mark it verified (needs a verifier account).")
    ] = False,
    rpc: RpcOption = None,
    deployment: DeploymentOption = None,
    key: KeyOption = None,
    blobs: BlobsOption = None,
    devnet: DevnetOption = None,
    role: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Upload ARTIFACT to the blob store and register it (SHA-256 on-chain)."""
    from veritee.blobs import open_store

    with (
        open_session(
            rpc=rpc,
            deployment=deployment,
            key=key,
            blobs=blobs,
            devnet=devnet,
            role=role or "model-builder",
        ) as session,
        open_store(session.require_blobs()) as store,
    ):
        digest = store.put_file(artifact)
        sha256 = hashlib.sha256(artifact.read_bytes()).digest()
        model_id = session.network.models.register(
            name, version, sha256, model_format, store.uri(digest), int(price * TOKEN)
        )
        if verify:
            if session.devnet is not None and key is None:
                admin = open_session(rpc=rpc, deployment=deployment, devnet=devnet, role="admin")
                with admin:
                    admin.network.models.verify(model_id)
            else:
                session.network.models.verify(model_id)
        info = session.network.models.model(model_id)
    document = {
        "model_id": int(model_id),
        "sha256": "0x" + sha256.hex(),
        "uri": info.uri,
        "status": info.status.name.lower(),
    }
    if as_json:
        emit_json(document)
    else:
        console.print(f"model {model_id} registered ({info.status.name.lower()}): {info.uri}")


@app.command("list")
def list_models(
    rpc: RpcOption = None,
    deployment: DeploymentOption = None,
    devnet: DevnetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every model version in the registry."""
    with open_session(rpc=rpc, deployment=deployment, devnet=devnet) as session:
        models = session.network.models
        infos = [models.model(ModelId(i)) for i in range(1, models.count() + 1)]
    rows: list[dict[str, Any]] = [
        {
            "model_id": int(m.model_id),
            "name": m.name,
            "version": m.version,
            "format": m.format,
            "status": m.status.name.lower(),
            "price": m.price,
            "owner": m.owner,
            "sha256": "0x" + m.artifact_sha256.hex(),
            "uri": m.uri,
        }
        for m in infos
    ]
    if as_json:
        emit_json({"models": rows})
        return
    table = Table(title="models")
    for column in ("id", "name", "version", "format", "status", "price (VRT)", "owner"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["model_id"]),
            row["name"],
            row["version"],
            row["format"],
            row["status"],
            f"{row['price'] / TOKEN:,.4f}",
            row["owner"],
        )
    console.print(table)
