"""Detached parts: announcement, PID-reuse protection, stop, and the recorded state."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from veritee.cli.connect import open_session
from veritee.devnet.processes import Part, is_running, spawn, stop, wait_for_announcement
from veritee.devnet.state import DevnetState
from veritee.exceptions import ConfigError, NodeError

ANNOUNCE = (
    "import json, time; "
    "print(json.dumps({'event': 'listening', 'url': 'http://x'}), flush=True); "
    "time.sleep(60)"
)


def test_a_part_announces_runs_and_stops_by_pid(tmp_path: Path) -> None:
    process = spawn([sys.executable, "-c", ANNOUNCE, "marker-123"], tmp_path, "child")
    try:
        announcement = wait_for_announcement(process, tmp_path, "child", timeout=30)
        assert announcement == {"event": "listening", "url": "http://x"}
        part = Part("child", "test", process.pid, "http://x", str(tmp_path), "marker-123")
        assert is_running(part)
        # Another command under the same PID (a reused PID) is never touched.
        assert not is_running(Part("child", "test", process.pid, "", "", "something-else"))
        assert not stop(Part("child", "test", process.pid, "", "", "something-else"))
        assert process.poll() is None
        assert stop(part)
        process.wait(timeout=10)
        assert not is_running(part)
        assert not stop(part)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_part_that_dies_before_announcing_shows_its_log(tmp_path: Path) -> None:
    script = "import sys; sys.stderr.write('boom: bad config'); sys.exit(3)"
    process = spawn([sys.executable, "-c", script], tmp_path, "broken")
    with pytest.raises(NodeError, match=r"(?s)broken exited with code 3.*boom: bad config"):
        wait_for_announcement(process, tmp_path, "broken", timeout=30)


def test_state_round_trips_and_a_missing_record_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run `veritee devnet up`"):
        DevnetState.load(tmp_path)
    part = Part("anvil", "chain", 42, "http://127.0.0.1:1", "/logs", "anvil")
    state = DevnetState(tmp_path, "http://127.0.0.1:1", 31337, "http://b", "ab", parts=[part])
    state.save()
    loaded = DevnetState.load(tmp_path)
    assert loaded.parts == [part]
    assert (loaded.rpc_url, loaded.chain_id, loaded.blob_url) == (
        "http://127.0.0.1:1",
        31337,
        "http://b",
    )
    (tmp_path / "devnet.json").write_text('{"version": 99}')
    with pytest.raises(ConfigError, match="unknown version 99"):
        DevnetState.load(tmp_path)


def test_commands_without_a_network_or_with_a_bad_key_fail_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("VERITEE_RPC_URL", "VERITEE_DEPLOYMENT", "VERITEE_KEY", "VERITEE_BLOBS"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="no development network recorded"):
        open_session(devnet=tmp_path)
    with pytest.raises(ConfigError, match="--key is not hex"):
        open_session(rpc="http://127.0.0.1:1", deployment=tmp_path / "d.json", key="zz")
    with pytest.raises(ConfigError, match="32-byte private key"):
        open_session(rpc="http://127.0.0.1:1", deployment=tmp_path / "d.json", key="ab")
    DevnetState(tmp_path, "http://127.0.0.1:1", 1, "http://b", "ab").save()
    with pytest.raises(ConfigError, match="unknown role 'mallory'"):
        open_session(devnet=tmp_path, role="mallory")
