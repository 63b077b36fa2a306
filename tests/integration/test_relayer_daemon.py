"""``python -m veritee.relayer run`` as its own process against anvil: it relays, then stops
cleanly on SIGTERM."""

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

from tests.integration.test_relayer_fakes import RELAYER_A, ManualClock, World, build_world
from veritee.chain import AnvilDevnet

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with AnvilDevnet() as backend:
        yield build_world(backend)


def test_the_daemon_relays_and_stops_on_sigterm(world: World, tmp_path: Path) -> None:
    record = tmp_path / "deployment.json"
    world.devnet.deployment.save(record)
    backend = world.devnet.backend
    settings = {
        "rpc_url": backend.rpc_url,
        "deployment": str(record),
        "private_key": "0x" + bytes(backend.accounts[RELAYER_A].key).hex(),
        "db_path": str(tmp_path / "relayer.db"),
        "confirmations": 0,
        "batch_wait": 0,
        "poll_interval": 0.1,
    }
    config = tmp_path / "relayer.json"
    config.write_text(json.dumps(settings))
    with world.worker(ManualClock()) as worker:
        world.point_worker_to(worker.url)
        jobs = world.submit(2)
        env = {k: v for k, v in os.environ.items() if not k.startswith("VERITEE_RELAYER_")}
        daemon = subprocess.Popen(
            [sys.executable, "-m", "veritee.relayer", "run", "--config", str(config), "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            assert daemon.stdout is not None
            started = json.loads(daemon.stdout.readline())
            assert started["event"] == "running"
            assert started["address"] == backend.accounts[RELAYER_A].address
            deadline = time.monotonic() + 30
            while sorted(world.settled()) != jobs and time.monotonic() < deadline:
                time.sleep(0.1)
            assert sorted(world.settled()) == jobs
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, err = daemon.communicate(timeout=20)
    assert daemon.returncode == 0, err.decode()
    assert b"Traceback" not in err
