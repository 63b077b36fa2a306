"""Finding the workers that can take a job: the registry's events, each worker's record, its load.

Enclaves and their announced keys and endpoints come from the Workers contract's events; each is
kept if the contract itself says it can take a job for the model now (``check_eligible``: active,
certified, bonded, serving it), all read at one block for a consistent view. Then each kept
worker's ``GET /v1/status`` is asked, concurrently, for its load; a worker that does not answer
(or answers for another enclave) stays in the list, excluded, with the reason.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx
from eth_utils import to_checksum_address

from veritee.chain.clients import Network, WorkersClient
from veritee.chain.types import ModelId, TeeKind
from veritee.exceptions import ContractRevert, JobError
from veritee.sdk.selection import WorkerCandidate, WorkerLoad, parse_worker_status

__all__ = ["discover_workers", "eligible_workers", "fetch_load", "worker_terms"]


def worker_terms(workers: WorkersClient, enclave: str) -> tuple[str, int]:
    """``(operator, price)`` exactly as ``Jobs`` reads them (``Workers.terms``), at the client's
    block; one call, where ``WorkersClient.worker`` also scans the worker's events."""
    operator, price = workers.contract.functions.terms(to_checksum_address(enclave)).call(
        block_identifier=workers.block
    )
    return to_checksum_address(operator), int(price)


def _announcements(workers: WorkersClient, start: int, block: int) -> dict[str, dict[str, Any]]:
    """Each registered enclave's latest announced fields, from three event scans in all.

    Registration announces everything; a renewal a new key, quote and expiry (the measurement
    and TEE kind cannot change); ``EndpointUpdated`` a new endpoint. Events come in chain order.
    """
    found: dict[str, dict[str, Any]] = {}
    for name in ("WorkerRegistered", "CertificateRenewed", "EndpointUpdated"):
        for event in workers.events(name, start, block):
            enclave = to_checksum_address(event.args["worker"])
            if name == "WorkerRegistered":
                found[enclave] = dict(event.args)
            elif enclave in found:
                found[enclave].update(event.args)
    return found


def eligible_workers(network: Network, model_id: ModelId) -> list[WorkerCandidate]:
    """Every registered worker the Workers contract would accept a job for ``model_id`` from,
    all read at one block."""
    block = int(network.w3.eth.block_number)
    workers = network.workers.at_block(block)
    found = []
    for enclave, fields in _announcements(workers, network.deployment.block, block).items():
        try:
            workers.check_eligible(enclave, model_id)
        except ContractRevert:
            continue
        operator, price = worker_terms(workers, enclave)
        found.append(
            WorkerCandidate(
                enclave=enclave,
                operator=operator,
                endpoint=str(fields["endpoint"]),
                price=price,
                tee_kind=TeeKind(fields["tee_kind"]),
                measurement=bytes(fields["measurement"]),
                x25519_key=bytes(fields["x25519_key"]),
                expiry=int(fields["expiry"]),
            )
        )
    return found


async def fetch_load(http: httpx.AsyncClient, candidate: WorkerCandidate) -> WorkerCandidate:
    """``candidate`` with its load from ``/v1/status``, or excluded with the reason it has none."""
    if not candidate.endpoint:
        return _excluded(candidate, "announces no endpoint")
    url = candidate.endpoint.rstrip("/") + "/v1/status"
    try:
        response = await http.get(url)
    except httpx.HTTPError as exc:
        return _excluded(candidate, f"status unreachable at {url}: {exc or type(exc).__name__}")
    if response.status_code != 200:
        return _excluded(candidate, f"status at {url} answered HTTP {response.status_code}")
    try:
        document = response.json()
        load = parse_worker_status(document)
    except (ValueError, JobError) as exc:
        return _excluded(candidate, f"status at {url} is malformed: {exc}")
    if document.get("accepting") is False or document.get("ready") is False:
        return _excluded(candidate, f"status at {url} says it is not accepting jobs now")
    reported = document.get("enclave")
    if reported is not None and str(reported).lower() != candidate.enclave.lower():
        return _excluded(candidate, f"endpoint {url} answers for another enclave ({reported})")
    return _with_load(candidate, load)


def _excluded(candidate: WorkerCandidate, reason: str) -> WorkerCandidate:
    return replace(candidate, excluded=reason)


def _with_load(candidate: WorkerCandidate, load: WorkerLoad) -> WorkerCandidate:
    return replace(candidate, load=load)


async def discover_workers(
    network: Network,
    http: httpx.AsyncClient | None,
    model_id: ModelId,
) -> list[WorkerCandidate]:
    """The certified, active workers serving ``model_id``, with their load when ``http`` is given.

    Without ``http`` no worker is asked anything (``load`` stays ``None``).
    """
    candidates = await asyncio.to_thread(eligible_workers, network, model_id)
    if http is None or not candidates:
        return candidates
    return list(await asyncio.gather(*(fetch_load(http, c) for c in candidates)))
