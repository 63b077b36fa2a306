"""The relayer's public surface and its command line (without a chain)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import veritee.relayer
from tests.unit.relayer.test_config import KEY, fake_deployment
from veritee.relayer.cli import app
from veritee.relayer.records import Attempt, NewJob
from veritee.relayer.store import RelayerStore


def test_public_surface() -> None:
    assert sorted(veritee.relayer.__all__) == [
        "BatchPlan",
        "DeliveryOutcome",
        "Relayer",
        "RelayerConfig",
        "RelayerStore",
        "RelayerThread",
        "RetryPolicy",
        "TickReport",
        "serve",
    ]
    for name in veritee.relayer.__all__:
        assert hasattr(veritee.relayer, name)


def test_status_command_reads_the_database(tmp_path: Path) -> None:
    record = tmp_path / "deployment.json"
    fake_deployment().save(record)
    db = tmp_path / "relayer.db"
    with RelayerStore(db) as store:
        store.advance(9, "0x9", [NewJob(1, "0x" + "aa" * 20, 99, 9, "{}")], {})
        store.advance(10, "0xa", [NewJob(2, "0x" + "aa" * 20, 99, 10, "{}")], {2: 2})
        store.record_attempts([Attempt(1, "delivered")], now=1.0)
    config = tmp_path / "relayer.json"
    settings = {
        "deployment": str(record),
        "private_key": KEY,
        "rpc_url": "http://x",
        "db_path": str(db),
    }
    config.write_text(json.dumps(settings))
    result = CliRunner().invoke(app, ["status", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert facts["cursor"] == 10
    assert facts["jobs"] == {"delivered": 1, "pending": 1, "finished": 1}
    assert facts["open_submissions"] == 0
    human = CliRunner().invoke(app, ["status", "--config", str(config)])
    assert human.exit_code == 0 and "cursor at block 10" in human.output
