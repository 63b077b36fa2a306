"""Three gatekeepers as separate processes on anvil, talking real loopback HTTP.

Each runs ``python -m veritee.gatekeeper --config FILE --json``; the relay runs the DKG among them,
a worker is certified and registered, and the capsule key is released. One gatekeeper is then
killed with SIGKILL and the key is released by the other two; restarted from its configuration,
it unseals its key share from disk and serves again. Every child is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.gatekeeper_world import World, populate, prepare
from veritee.chain import AnvilDevnet
from veritee.chain.devnet import DevNetwork
from veritee.gatekeeper.dkg_orchestrator import run_dkg
from veritee.gatekeeper.local import dev_encryption_key
from veritee.gatekeeper.outcomes import GatekeeperEndpoint, OutcomeKind

pytestmark = pytest.mark.anvil


class Child:
    """One gatekeeper process; its output goes to files (a pipe nobody drains could stall it)."""

    def __init__(self, config: Path, directory: Path) -> None:
        self.config, self.directory = config, directory
        self.stdout = directory / "stdout.log"
        self.stderr = directory / "stderr.log"
        with self.stdout.open("wb") as out, self.stderr.open("ab") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "veritee.gatekeeper", "--config", str(config), "--json"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        self.announcement = self._wait_for_line(timeout=60)

    def _wait_for_line(self, timeout: float) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.stdout.read_text()
            if text.endswith("\n"):
                return dict(json.loads(text.splitlines()[0]))
            if self.process.poll() is not None:
                raise AssertionError(f"gatekeeper exited: {self.stderr.read_text()[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"gatekeeper did not start: {self.stderr.read_text()[-3000:]}")

    @property
    def url(self) -> str:
        return str(self.announcement["url"])

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _write_config(devnet: DevNetwork, index: int, directory: Path, platform_key: bytes) -> Path:
    record = directory.parent / "deployment.json"
    devnet.deployment.save(record)
    settings = {
        "index": index,
        "signing_key": devnet.gatekeeper_keys[index - 1].hex(),
        "encryption_key": dev_encryption_key(index).hex(),
        "deployment": str(record),
        "rpc_url": devnet.backend.rpc_url,
        "port": 0,
        "confirmations": 0,
        "head_max_age": 0,
        "data_dir": str(directory / "data"),
        "simulated_platform_keys": [platform_key.hex()],
    }
    path = directory / "gatekeeper.json"
    path.write_text(json.dumps(settings))
    return path


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[int, Child]]]:
    base = tmp_path_factory.mktemp("gatekeeper-processes")
    with AnvilDevnet() as backend:
        devnet, platform, provider = prepare(backend)
        children: dict[int, Child] = {}
        try:
            for index in (1, 2, 3):
                directory = base / f"gatekeeper-{index}"
                directory.mkdir()
                config = _write_config(devnet, index, directory, platform.public_key_bytes)
                children[index] = Child(config, directory)
            run_dkg([c.url for c in children.values()], devnet.network(0))
            endpoints = [
                GatekeeperEndpoint(i, str(c.announcement["address"]), c.url)
                for i, c in children.items()
            ]
            yield populate(devnet, endpoints, platform, provider), children
        finally:
            for child in children.values():
                child.stop()


def test_key_release_across_processes_survives_a_killed_gatekeeper(
    processes: tuple[World, dict[int, Child]],
) -> None:
    world, children = processes
    assert [c.announcement["key_ready"] for c in children.values()] == [False] * 3
    with world.client() as client:
        release = world.capsule_key(client, wait_for_all=True)
    assert release.key == world.data_key
    assert release.used == (1, 2, 3)

    children[2].kill()
    with world.client() as client:
        release = world.capsule_key(client, wait_for_all=True)
    assert release.key == world.data_key
    assert release.used == (1, 3)
    assert [(o.index, o.kind) for o in release.failures] == [(2, OutcomeKind.DOWN)]

    restarted = Child(children[2].config, children[2].directory)
    children[2] = restarted
    assert restarted.announcement["key_ready"] is True  # unsealed from disk
    endpoints = [
        GatekeeperEndpoint(e.index, e.address, restarted.url if e.index == 2 else e.url)
        for e in world.endpoints
    ]
    children[1].kill()
    with world.client(endpoints) as client:
        release = world.capsule_key(client, wait_for_all=True)
    assert release.key == world.data_key
    assert release.used == (2, 3)


def test_named_key_across_processes(processes: tuple[World, dict[int, Child]]) -> None:
    world, children = processes
    endpoints = [
        GatekeeperEndpoint(e.index, e.address, children[e.index].url) for e in world.endpoints
    ]
    arguments = {
        "name": "seal:" + world.worker.provider.measurement().hex(),
        "enclave_key": world.worker.enclave_key,
        "x25519": world.worker.x25519,
        "public_shares": world.public_shares(),
        "threshold": 2,
    }
    with world.client(endpoints) as client:
        first, second = client.named_key(**arguments), client.named_key(**arguments)
    assert first.key == second.key and len(first.key) == 32
