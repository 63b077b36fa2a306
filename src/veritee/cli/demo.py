"""``veritee demo``: the contracts and one job's on-chain life, on the embedded chain.

Deploys the whole contract set on an in-process EVM (no node, no ports), then walks one job
through it with development keys: a model is registered and verified, a data owner registers a
capsule, a worker is certified by t-of-n development gatekeepers and bonds itself, a
researcher submits a job, the worker's enclave key signs the result, settlement pays everyone,
and the payouts are printed.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import coincurve
import typer
from eth_utils import keccak
from rich.table import Table

from veritee.chain import EmbeddedChain
from veritee.chain.clients import JobRequest
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.cli.output import console, emit_json
from veritee.crypto.typed_data import JobResult, address_of, batch_digest, sign_digest

TOKEN = 10**18
OPERATOR, RESEARCHER, MODEL_BUILDER, HOSPITAL, RELAYER = 1, 2, 3, 4, 5


def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Deploy the contracts on the embedded chain and settle one job end to end."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with EmbeddedChain() as backend:
        devnet = deploy_dev_network(backend)
        timings["deploy"] = time.perf_counter() - start
        report = _lifecycle(devnet, timings)
    report["deployment"] = {
        "chain_id": devnet.deployment.chain_id,
        "contracts": {
            name: {"address": record.address, "code_hash": record.code_hash}
            for name, record in devnet.deployment.contracts.items()
        },
    }
    report["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    if as_json:
        emit_json(report)
    else:
        _print(report)


def _lifecycle(devnet: DevNetwork, timings: dict[str, float]) -> dict[str, Any]:
    admin = devnet.network(0)
    names = {OPERATOR: "operator", RESEARCHER: "researcher", MODEL_BUILDER: "model builder"}
    names[HOSPITAL] = "hospital"
    for index in names:
        admin.token.transfer(devnet.backend.accounts[index].address, 1_000 * TOKEN)

    step = time.perf_counter()
    builder = devnet.network(MODEL_BUILDER)
    model_id = builder.models.register(
        "readmission-risk",
        "1.0",
        keccak(b"demo model artifact"),
        "onnx",
        "blob://model",
        20 * TOKEN,
    )
    admin.models.verify(model_id)
    hospital = devnet.network(HOSPITAL)
    r_point = coincurve.PrivateKey(keccak(b"demo capsule ephemeral")).public_key
    raw = r_point.format(compressed=False)
    capsule_id = hospital.capsules.register(
        keccak(b"demo capsule ciphertext"),
        "blob://capsule",
        (int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")),
        [model_id],
        price=15 * TOKEN,
    )
    timings["register model and capsule"] = time.perf_counter() - step

    step = time.perf_counter()
    enclave_key = keccak(b"demo enclave key (development only)")
    operator = devnet.network(OPERATOR)
    certificate = devnet.certificate(enclave_key, operator.address)
    signatures = devnet.sign_certificate(certificate)
    bond = operator.workers.min_bond()
    operator.token.approve(operator.workers.address, bond)
    operator.workers.register(
        certificate, signatures, "http://127.0.0.1:8700", 10 * TOKEN, [model_id], bond
    )
    timings["certify and register worker"] = time.perf_counter() - step

    step = time.perf_counter()
    researcher = devnet.network(RESEARCHER)
    request = JobRequest(
        worker=certificate.enclave,
        model_id=model_id,
        input_hash=keccak(b"demo encrypted input"),
        input_uri="blob://input",
        result_key=keccak(b"demo result key"),
        max_fee=60 * TOKEN,
        deadline=devnet.now() + 3_600,
        capsule_ids=(capsule_id,),
    )
    researcher.token.approve(researcher.jobs.address, request.max_fee)
    job_id = researcher.jobs.submit(request)
    timings["submit job"] = time.perf_counter() - step

    step = time.perf_counter()
    results = [JobResult(job_id, keccak(b"demo encrypted result"), "blob://result")]
    relayer = devnet.network(RELAYER)
    digest = batch_digest(relayer.jobs.domain(), address_of(enclave_key), results)
    relayer.jobs.settle(certificate.enclave, results, sign_digest(enclave_key, digest))
    timings["settle"] = time.perf_counter() - step

    jobs = admin.jobs
    payouts = {
        "hospital (capsule owner)": jobs.claimable(hospital.address),
        "model builder": jobs.claimable(builder.address),
        "worker operator": jobs.claimable(operator.address),
        "treasury": jobs.claimable(jobs.treasury()),
        "researcher refund": jobs.claimable(researcher.address),
    }
    return {
        "job_id": job_id,
        "status": jobs.status(job_id).name.lower(),
        "worker": certificate.enclave,
        "payouts_wei": payouts,
        "conserved": jobs.escrowed() + jobs.total_claimable()
        == admin.token.balance_of(jobs.address),
    }


def _print(report: dict[str, Any]) -> None:
    console.print("[bold]veritee demo[/bold] — embedded chain, development keys (not secure)")
    table = Table(title="Deployment", show_lines=False)
    table.add_column("contract")
    table.add_column("address")
    for name, record in report["deployment"]["contracts"].items():
        table.add_row(name, record["address"])
    console.print(table)
    console.print(f"job {report['job_id']}: {report['status']} by worker {report['worker']}")
    payouts = Table(title="Payouts (VRT)")
    payouts.add_column("party")
    payouts.add_column("amount", justify="right")
    for party, amount in report["payouts_wei"].items():
        payouts.add_row(party, f"{amount / TOKEN:,.4f}")
    console.print(payouts)
    console.print(f"escrow conserved: {report['conserved']}")
    for name, seconds in report["timings_s"].items():
        console.print(f"  {name:<30} {seconds * 1000:>8.0f} ms")
