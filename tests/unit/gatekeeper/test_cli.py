"""``veritee gatekeeper run``: loud on a bad configuration, before anything listens."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from veritee.cli.main import app
from veritee.exceptions import ConfigError


def test_missing_config_file_fails_with_its_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["gatekeeper", "run", "--config", str(tmp_path / "no.json")])
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError)
    assert "cannot read gatekeeper config" in str(result.exception)


def test_module_entry_point_names_the_missing_setting(tmp_path: Path) -> None:
    config = tmp_path / "gatekeeper.json"
    config.write_text(json.dumps({"index": 1}))
    result = subprocess.run(
        [sys.executable, "-m", "veritee.gatekeeper", "--config", str(config), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 1
    assert "gatekeeper setting signing_key is missing" in " ".join(result.stderr.split())
