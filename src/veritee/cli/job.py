"""``veritee job``: submit a confidential job, follow it, and decrypt its result.

A job's result key (X25519) is made fresh for every job and kept in
``$VERITEE_HOME/job-keys/<chain id>-<job id>.key`` (mode 0600) so that ``job result`` can open
the result later; whoever holds that file can read the result.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from veritee.chain.types import JobId
from veritee.cli.connect import (
    AsOption,
    BlobsOption,
    DeploymentOption,
    DevnetOption,
    JsonOption,
    KeyOption,
    RpcOption,
    Session,
    open_session,
)
from veritee.cli.output import console, emit_json
from veritee.exceptions import ConfigError

app = typer.Typer(help="Confidential jobs.", no_args_is_help=True)


def _keys_dir() -> Path:
    home = Path(os.environ.get("VERITEE_HOME") or Path.home() / ".veritee")
    return home / "job-keys"


def _key_path(chain_id: int, job_id: int) -> Path:
    return _keys_dir() / f"{chain_id}-{job_id}.key"


@contextmanager
def _client(session: Session) -> Iterator[Any]:
    """The SDK client for ``session``; its blob store is closed with it."""
    from veritee.blobs import open_store
    from veritee.sdk import SyncClient

    with (
        open_store(session.require_blobs()) as store,
        SyncClient(session.network, session.key, store) as client,
    ):
        yield client


def _document(
    input_file: Path | None, task: str, threshold: float, bins: int
) -> dict[str, Any] | bytes:
    if input_file is not None:
        return input_file.read_bytes()
    if task != "aggregate":
        raise ConfigError("a predict job needs --input FILE holding its input document")
    return {"v": 1, "task": "aggregate", "threshold": threshold, "bins": bins}


@app.command("submit")
def submit(
    model: Annotated[int, typer.Option("--model", help="Model id.")],
    capsule: Annotated[
        list[int] | None, typer.Option("--capsule", help="Capsule id to compute over (repeat).")
    ] = None,
    input_file: Annotated[
        Path | None, typer.Option("--input", help="Input document (JSON), see docs/jobs.md.")
    ] = None,
    task: Annotated[str, typer.Option(help="Without --input: the task.")] = "aggregate",
    threshold: Annotated[float, typer.Option(help="aggregate: high-risk threshold.")] = 0.5,
    bins: Annotated[int, typer.Option(help="aggregate: histogram bins.")] = 10,
    deadline: Annotated[int, typer.Option(help="Seconds the worker has.")] = 600,
    wait: Annotated[bool, typer.Option(help="Wait for the result and print it.")] = False,
    timeout: Annotated[float, typer.Option(help="With --wait: seconds to wait.")] = 300.0,
    rpc: RpcOption = None,
    deployment: DeploymentOption = None,
    key: KeyOption = None,
    blobs: BlobsOption = None,
    devnet: DevnetOption = None,
    role: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Seal the input to a chosen worker, upload it, and submit the job with a permit."""
    document = _document(input_file, task, threshold, bins)
    with (
        open_session(
            rpc=rpc,
            deployment=deployment,
            key=key,
            blobs=blobs,
            devnet=devnet,
            role=role or "researcher",
        ) as session,
        _client(session) as client,
    ):
        job = client.submit(model, document, capsule_ids=capsule or [], deadline_seconds=deadline)
        path = _key_path(session.network.deployment.chain_id, job.job_id)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(job.result_private_key().hex())
        report: dict[str, Any] = {"job": job.to_json(), "result_key_file": str(path)}
        if not as_json:
            console.print(f"job {job.job_id} submitted to worker {job.worker}")
        if wait:
            if as_json:
                client.wait(job.job_id, timeout=timeout)
            else:
                with console.status("waiting for the result") as status:
                    client.wait(
                        job.job_id,
                        timeout=timeout,
                        progress=lambda p: status.update(
                            f"job {p.job_id}: {p.status.name.lower()} ({p.elapsed:.0f} s)"
                        ),
                    )
            report["result"] = client.result(job)
    if as_json:
        emit_json(report)
    elif "result" in report:
        console.print_json(json.dumps(report["result"]))


@app.command("status")
def status(
    job_id: Annotated[int, typer.Argument(help="Job id.")],
    rpc: RpcOption = None,
    deployment: DeploymentOption = None,
    devnet: DevnetOption = None,
    as_json: JsonOption = False,
) -> None:
    """A job's on-chain record and state."""
    from veritee.sdk import job_info_to_json

    with open_session(rpc=rpc, deployment=deployment, devnet=devnet) as session:
        info = session.network.jobs.job(JobId(job_id))
    document = job_info_to_json(info)
    if as_json:
        emit_json(document)
    else:
        console.print(
            f"job {job_id}: [bold]{info.status.name.lower()}[/bold] on worker {info.worker}, "
            f"model {info.model_id}, capsules {list(info.capsule_ids)}, deadline {info.deadline}"
        )


@app.command("result")
def result(
    job_id: Annotated[int, typer.Argument(help="Job id.")],
    key_file: Annotated[
        Path | None, typer.Option(help="The job's result key [default: the one submit saved]")
    ] = None,
    rpc: RpcOption = None,
    deployment: DeploymentOption = None,
    blobs: BlobsOption = None,
    devnet: DevnetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch the job's result, check its hash against the chain, and decrypt it."""
    from veritee.crypto.envelope import X25519KeyPair

    with open_session(rpc=rpc, deployment=deployment, blobs=blobs, devnet=devnet) as session:
        path = key_file or _key_path(session.network.deployment.chain_id, job_id)
        try:
            private = bytes.fromhex(path.read_text().strip())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the result key {path}: {exc}") from exc
        with _client(session) as client:
            document = client.result((job_id, X25519KeyPair.from_private_bytes(private)))
    if as_json:
        emit_json(document)
    else:
        console.print_json(json.dumps(document))
