"""``veritee capsule``: seal data into a capsule, register it with a policy, list capsules."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from veritee.chain.types import CapsuleId
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

app = typer.Typer(help="Encrypted data capsules.", no_args_is_help=True)
TOKEN = 10**18


def _sha256_file(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest()


@app.command("seal")
def seal(
    source: Annotated[Path, typer.Argument(help="The file to seal.", exists=True)],
    out: Annotated[Path | None, typer.Option(help="Output path [default: FILE.vcap]")] = None,
    content_type: Annotated[str, typer.Option(help="Media type recorded in the header.")] = (
        "application/octet-stream"
    ),
    rpc: RpcOption = None,
    deployment: DeploymentOption = None,
    devnet: DevnetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Encrypt FILE to the gatekeepers' network key (streaming; any size)."""
    from veritee.capsule import seal_file

    destination = out or source.with_name(source.name + ".vcap")
    with open_session(rpc=rpc, deployment=deployment, devnet=devnet) as session:
        network = session.network
        sealed = seal_file(
            source,
            destination,
            network_key=network.gatekeepers.network_key(),
            chain_id=network.deployment.chain_id,
            capsules=network.capsules.address,
            content_type=content_type,
        )
    document = {
        "capsule": str(destination),
        "sha256": "0x" + sealed.ciphertext_sha256.hex(),
        "size": sealed.size,
        "plaintext_size": sealed.plaintext_size,
        "r": "0x" + sealed.r.compressed.hex(),
    }
    if as_json:
        emit_json(document)
    else:
        console.print(f"sealed {source} -> {destination} ({sealed.size:,} bytes)")
        console.print(f"sha256 {document['sha256']}")


@app.command("register")
def register(
    capsule: Annotated[Path, typer.Argument(help="A file made by `capsule seal`.", exists=True)],
    model: Annotated[
        list[int] | None, typer.Option("--model", help="A model id allowed to use it (repeat).")
    ] = None,
    price: Annotated[float, typer.Option(help="Price per use, in VRT.")] = 0.0,
    max_uses: Annotated[int, typer.Option(help="Uses allowed (0 = unlimited).")] = 0,
    expiry: Annotated[int, typer.Option(help="Unix time it expires (0 = never).")] = 0,
    rpc: RpcOption = None,
    deployment: DeploymentOption = None,
    key: KeyOption = None,
    blobs: BlobsOption = None,
    devnet: DevnetOption = None,
    role: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Upload a sealed capsule to the blob store and register it with its policy."""
    from veritee.blobs import open_store
    from veritee.capsule import SealedCapsule, read_header, register_capsule

    header = read_header(capsule)
    sha256 = _sha256_file(capsule)
    with (
        open_session(
            rpc=rpc,
            deployment=deployment,
            key=key,
            blobs=blobs,
            devnet=devnet,
            role=role or "hospital",
        ) as session,
        open_store(session.require_blobs()) as store,
    ):
        digest = store.put_file(capsule)
        sealed = SealedCapsule(
            ciphertext_sha256=sha256,
            size=capsule.stat().st_size,
            plaintext_size=-1,
            header=header,
        )
        capsule_id = register_capsule(
            session.network.capsules,
            sealed,
            store.uri(digest),
            allowed_models=model or [],
            price=int(price * TOKEN),
            max_uses=max_uses,
            expiry=expiry,
        )
    document = {
        "capsule_id": int(capsule_id),
        "sha256": "0x" + sha256.hex(),
        "uri": store.uri(digest),
    }
    if as_json:
        emit_json(document)
    else:
        console.print(f"capsule {capsule_id} registered: {document['uri']}")


@app.command("list")
def list_capsules(
    rpc: RpcOption = None,
    deployment: DeploymentOption = None,
    devnet: DevnetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every registered capsule and its policy."""
    with open_session(rpc=rpc, deployment=deployment, devnet=devnet) as session:
        capsules = session.network.capsules
        count = int(capsules.contract.functions.capsule_count().call())
        infos = [capsules.capsule(CapsuleId(i)) for i in range(1, count + 1)]
    rows: list[dict[str, Any]] = [
        {
            "capsule_id": int(c.capsule_id),
            "owner": c.owner,
            "sha256": "0x" + c.ciphertext_sha256.hex(),
            "uri": c.uri,
            "price": c.price,
            "uses": c.uses,
            "max_uses": c.max_uses,
            "expiry": c.expiry,
            "revoked": c.revoked,
            "allowed_models": [int(m) for m in c.allowed_models],
        }
        for c in infos
    ]
    if as_json:
        emit_json({"capsules": rows})
        return
    table = Table(title="capsules")
    for column in ("id", "owner", "price (VRT)", "uses", "models", "state"):
        table.add_column(column)
    for row in rows:
        uses = f"{row['uses']}/{row['max_uses'] or '∞'}"
        state = "revoked" if row["revoked"] else "active"
        models = ",".join(str(m) for m in row["allowed_models"]) or "any"
        table.add_row(
            str(row["capsule_id"]),
            row["owner"],
            f"{row['price'] / TOKEN:,.4f}",
            uses,
            models,
            state,
        )
    console.print(table)
