"""``veritee devnet up|down|status``: anvil, gatekeepers, workers and a relayer as processes.

``up`` starts, in order: anvil (state persisted in the directory), a blob server, the
contracts (deployed with development keys), ``gatekeepers`` gatekeeper processes that run their
DKG and publish the network key, ``workers`` worker processes (simulated TEE, each bonded and
certified by the gatekeepers) serving the bundled risk model, and one relayer. Every part is its
own process on 127.0.0.1, talking HTTP exactly as in production; ``down`` stops exactly the PIDs
``up`` recorded. DEVELOPMENT ONLY: every key here is public.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from eth_utils import keccak

from veritee.attestation.simulated import SimulatedPlatform, SimulatedProvider
from veritee.chain.backend import RemoteAnvil, anvil_binary
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.chain.types import TeeKind
from veritee.crypto.typed_data import address_of
from veritee.devnet.processes import (
    Part,
    is_running,
    spawn,
    stop,
    wait_for_announcement,
    wait_for_pattern,
)
from veritee.devnet.state import ROLES, DevnetState, default_directory
from veritee.exceptions import ConfigError, NodeError, VeriteeError
from veritee.gatekeeper.dkg_orchestrator import run_dkg
from veritee.gatekeeper.local import dev_encryption_key

__all__ = ["WORKER_PROVIDER_CONFIG", "PartHealth", "devnet_down", "devnet_status", "devnet_up"]

TOKEN = 10**18
#: The configuration the development workers' simulated TEE measures (with the code).
WORKER_PROVIDER_CONFIG: dict[str, Any] = {"role": "veritee devnet worker"}
_PYTHON = [sys.executable, "-m", "veritee"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PartHealth:
    """One part's state as ``status`` reports it."""

    name: str
    kind: str
    pid: int
    url: str
    running: bool
    healthy: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _announce(
    argv: list[str], directory: Path, name: str, kind: str
) -> tuple[Part, dict[str, Any]]:
    logs = directory / "logs"
    process = spawn(argv, logs, name)
    try:
        announcement = wait_for_announcement(process, logs, name)
    except NodeError:
        process.kill()
        process.wait()
        raise
    # The marker (the part's own config path or directory) tells our process from a PID reuse.
    part = Part(name, kind, process.pid, str(announcement.get("url", "")), str(logs), argv[-2])
    return part, announcement


def _start_anvil(directory: Path) -> Part:
    logs = directory / "logs"
    argv = [str(anvil_binary()), "--host", "127.0.0.1", "--port", "0", "--chain-id", "31337"]
    argv += ["--accounts", "0", "--gas-limit", "60000000"]
    argv += ["--state", str(directory / "anvil-state.json"), "--state-interval", "1"]
    process = spawn(argv, logs, "anvil")
    match = wait_for_pattern(process, logs / "anvil.out", r"Listening on 127\.0\.0\.1:(\d+)")
    return Part("anvil", "chain", process.pid, f"http://127.0.0.1:{match[1]}", str(logs), "anvil")


def _write(path: Path, settings: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2))
    return path


def devnet_up(
    directory: Path | None = None,
    *,
    gatekeepers: int = 3,
    threshold: int = 2,
    workers: int = 2,
    progress: Progress = lambda _: None,
) -> DevnetState:
    """Start a development network in ``directory`` and record it; see the module docstring."""
    directory = (directory or default_directory()).resolve()
    if (directory / "devnet.json").exists():
        state = DevnetState.load(directory)
        if any(is_running(part) for part in state.parts):
            raise ConfigError(
                f"a development network is already running from {directory}: "
                "`veritee devnet down` first"
            )
    directory.mkdir(parents=True, exist_ok=True)
    parts: list[Part] = []
    try:
        return _bring_up(directory, gatekeepers, threshold, workers, parts, progress)
    except BaseException:
        for part in reversed(parts):
            stop(part)
        raise


def _bring_up(
    directory: Path,
    gatekeepers: int,
    threshold: int,
    workers: int,
    parts: list[Part],
    progress: Progress,
) -> DevnetState:
    from veritee.models.builders import build_risk_model

    progress("anvil")
    anvil = _start_anvil(directory)
    parts.append(anvil)
    backend = RemoteAnvil(anvil.url)
    try:
        progress("contracts")
        _fund(backend)
        devnet = deploy_dev_network(backend, gatekeepers=gatekeepers, threshold=threshold)
        devnet.deployment.save(directory / "deployment.json")
        platform = SimulatedPlatform.load_or_create(directory / "platform")
        provider = SimulatedProvider(WORKER_PROVIDER_CONFIG, platform=platform)
        admin = devnet.network(ROLES["admin"])
        admin.policy.set_measurement(TeeKind.SIMULATED, provider.measurement(), True)
        for role, index in ROLES.items():
            if role != "admin":
                admin.token.transfer(backend.accounts[index].address, 1_000_000 * TOKEN)

        progress("blob server")
        blob_part, blob = _announce(
            [*_PYTHON, "blobs", "serve", "--dir", str(directory / "blobs"), "--json"],
            directory,
            "blobs",
            "blobs",
        )
        parts.append(blob_part)
        blob_url = str(blob["url"])

        progress("gatekeepers")
        endpoints = _start_gatekeepers(directory, devnet, platform, parts)
        run_dkg([e["url"] for e in endpoints], admin)

        progress("model")
        model_id = _register_model(devnet, blob_url, build_risk_model())

        progress("workers")
        worker_records = _start_workers(
            directory, devnet, endpoints, blob_url, model_id, workers, parts
        )

        progress("relayer")
        relayer_config = _write(
            directory / "relayer" / "relayer.json",
            {
                "rpc_url": anvil.url,
                "deployment": str(directory / "deployment.json"),
                "private_key": backend.accounts[ROLES["relayer"]].key.hex(),
                "db_path": str(directory / "relayer" / "relayer.sqlite"),
                "confirmations": 0,
                "poll_interval": 0.2,
                "batch_size": 100,
                "batch_wait": 0.5,
                "expire_overdue": True,
            },
        )
        relayer, _ = _announce(
            [*_PYTHON, "relayer", "run", "--config", str(relayer_config), "--json"],
            directory,
            "relayer",
            "relayer",
        )
        parts.append(relayer)

        state = DevnetState(
            directory=directory,
            rpc_url=anvil.url,
            chain_id=devnet.deployment.chain_id,
            blob_url=blob_url,
            platform_key=platform.public_key_bytes.hex(),
            gatekeepers=endpoints,
            workers=worker_records,
            model_id=model_id,
            parts=list(parts),
        )
        state.save()
        return state
    finally:
        backend.close()


def _set_balance(backend: object, address: str) -> None:
    assert isinstance(backend, RemoteAnvil)
    backend._rpc("anvil_setBalance", [address, hex(10**24)])


def _fund(backend: RemoteAnvil) -> None:
    for account in backend.accounts:
        if backend.w3.eth.get_balance(account.address) == 0:
            _set_balance(backend, account.address)


def _start_gatekeepers(
    directory: Path, devnet: DevNetwork, platform: SimulatedPlatform, parts: list[Part]
) -> list[dict[str, Any]]:
    endpoints = []
    for index in range(1, len(devnet.gatekeeper_keys) + 1):
        home = directory / f"gatekeeper-{index}"
        config = _write(
            home / "gatekeeper.json",
            {
                "index": index,
                "signing_key": devnet.gatekeeper_keys[index - 1].hex(),
                "encryption_key": dev_encryption_key(index).hex(),
                "deployment": str(directory / "deployment.json"),
                "rpc_url": devnet.backend.rpc_url,
                "port": 0,
                "confirmations": 0,
                "head_max_age": 0,
                "data_dir": str(home / "data"),
                "simulated_platform_keys": [platform.public_key_bytes.hex()],
            },
        )
        part, announcement = _announce(
            [*_PYTHON, "gatekeeper", "run", "--config", str(config), "--json"],
            directory,
            f"gatekeeper-{index}",
            "gatekeeper",
        )
        parts.append(part)
        endpoints.append({"index": index, "address": str(announcement["address"]), "url": part.url})
    return endpoints


def _register_model(devnet: DevNetwork, blob_url: str, artifact: bytes) -> int:
    from veritee.blobs import open_store

    store = open_store(blob_url)
    try:
        digest = store.put(artifact)
        uri = store.uri(digest)
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()
    builder = devnet.network(ROLES["model-builder"])
    model_id = builder.models.register(
        "readmission-risk", "1.0", bytes.fromhex(digest), "onnx", uri, 2 * TOKEN
    )
    devnet.network(ROLES["admin"]).models.verify(model_id)
    return int(model_id)


def _start_workers(
    directory: Path,
    devnet: DevNetwork,
    endpoints: list[dict[str, Any]],
    blob_url: str,
    model_id: int,
    count: int,
    parts: list[Part],
) -> list[dict[str, Any]]:
    records = []
    for number in range(1, count + 1):
        home = directory / f"worker-{number}"
        operator = keccak(text=f"veritee-devnet-operator:{number}")
        admin = devnet.network(ROLES["admin"])
        operator_address = address_of(operator)
        admin.token.transfer(operator_address, 100_000 * TOKEN)
        _set_balance(devnet.backend, operator_address)
        config = _write(
            home / "worker.json",
            {
                "rpc_url": devnet.backend.rpc_url,
                "deployment": str(directory / "deployment.json"),
                "operator_key": operator.hex(),
                "provider": "simulated",
                "provider_options": {
                    "config": WORKER_PROVIDER_CONFIG,
                    "key_dir": str(directory / "platform"),
                },
                "gatekeepers": endpoints,
                "blob_store": blob_url,
                "data_dir": str(home / "data"),
                "port": 0,
                "price": number * TOKEN,
                "models": [model_id],
                "confirmations": 0,
            },
        )
        part, announcement = _announce(
            [*_PYTHON, "worker", "run", "--config", str(config), "--json"],
            directory,
            f"worker-{number}",
            "worker",
        )
        parts.append(part)
        records.append(
            {"name": part.name, "enclave": str(announcement.get("enclave", "")), "url": part.url}
        )
    return records


def devnet_down(directory: Path | None = None) -> list[Part]:
    """Stop every part ``up`` recorded (newest first); returns those that were running."""
    state = DevnetState.load((directory or default_directory()).resolve())
    stopped = [part for part in reversed(state.parts) if stop(part)]
    state.path.unlink()
    return stopped


_HEALTH = {
    "chain": None,
    "blobs": "/health",
    "gatekeeper": "/v1/health",
    "worker": "/v1/health",
    "relayer": None,
}


def devnet_status(directory: Path | None = None) -> list[PartHealth]:
    """Each recorded part: whether its process runs and whether it answers its health check."""
    state = DevnetState.load((directory or default_directory()).resolve())
    report = []
    with httpx.Client(timeout=3.0) as http:
        for part in state.parts:
            running = is_running(part)
            healthy, detail = False, "not running"
            if running:
                healthy, detail = _probe(http, part)
            report.append(
                PartHealth(part.name, part.kind, part.pid, part.url, running, healthy, detail)
            )
    return report


def _relayer_health(config: Path) -> tuple[bool, str]:
    """The relayer serves no HTTP: read how far its database has followed the chain."""
    from veritee.relayer.store import RelayerStore

    settings = json.loads(config.read_text())
    with RelayerStore(Path(settings["db_path"])) as store:
        cursor = store.cursor()
        counts = store.counts()
    if cursor is None:
        return False, "has not read the chain yet"
    finished = counts.get("finished", 0)
    return True, f"following: cursor at block {cursor.number}, {finished} jobs finished"


def _probe(http: httpx.Client, part: Part) -> tuple[bool, str]:
    started = time.perf_counter()
    try:
        if part.kind == "chain":
            response = http.post(
                part.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}
            )
            block = int(response.json()["result"], 16)
            return True, f"block {block}"
        if part.kind == "relayer":
            return _relayer_health(Path(part.marker))
        path = _HEALTH.get(part.kind)
        if path is None:
            return True, "process running"
        response = http.get(part.url.rstrip("/").removesuffix("/blobs") + path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code == 200:
            return True, f"healthy ({elapsed:.0f} ms)"
        return False, f"HTTP {response.status_code}: {response.text[:200]}"
    except (httpx.HTTPError, ValueError, KeyError, OSError, VeriteeError) as exc:
        return False, f"no answer: {exc}"
