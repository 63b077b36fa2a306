"""WorkerConfig: argument > VERITEE_WORKER_* > default, loud about what is missing or wrong."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.unit.gatekeeper.support import fake_deployment
from veritee.attestation.simulated import SimulatedProvider
from veritee.crypto.typed_data import address_of
from veritee.exceptions import ConfigError
from veritee.gatekeeper.outcomes import GatekeeperEndpoint
from veritee.worker.config import WorkerConfig

OPERATOR_KEY = bytes(range(1, 33))
GATEKEEPERS = [
    {"index": 2, "address": "0x" + "02" * 20, "url": "http://127.0.0.1:7302/"},
    {"index": 1, "address": "0x" + "01" * 20, "url": "http://127.0.0.1:7301"},
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("VERITEE_WORKER_"):
            monkeypatch.delenv(name)


def _config(**changes: object) -> WorkerConfig:
    arguments: dict[str, object] = {
        "operator_key": OPERATOR_KEY,
        "deployment": fake_deployment(),
        "rpc_url": "http://127.0.0.1:8545",
        "gatekeepers": GATEKEEPERS,
        "blob_store": "file:///tmp/blobs",
        "models": [1, 2],
    }
    arguments.update(changes)
    return WorkerConfig(**arguments)  # type: ignore[arg-type]


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VERITEE_HOME", str(tmp_path))
    config = _config()
    assert config.operator == address_of(OPERATOR_KEY)
    assert (config.host, config.port, config.public_url) == ("127.0.0.1", 7400, None)
    assert config.data_dir == tmp_path / "worker"
    assert config.models == (1, 2)
    assert (config.price, config.bond, config.max_concurrent) == (0, None, 4)
    assert (config.certificate_lifetime, config.renew_before, config.confirmations) == (
        86_400,
        3_600,
        2,
    )
    assert config.provider == "simulated"
    # Sorted by index, trailing slash dropped.
    assert config.gatekeepers == (
        GatekeeperEndpoint(1, "0x" + "01" * 20, "http://127.0.0.1:7301"),
        GatekeeperEndpoint(2, "0x" + "02" * 20, "http://127.0.0.1:7302"),
    )


@pytest.mark.parametrize(
    "name", ["operator_key", "deployment", "gatekeepers", "blob_store", "models"]
)
def test_missing_required_setting_names_argument_and_variable(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(**{name: None})
    assert f"worker setting {name} is missing" in str(caught.value)
    assert f"VERITEE_WORKER_{name.upper()}" in str(caught.value)


def test_missing_chain() -> None:
    with pytest.raises(ConfigError, match=r"rpc_url is missing.*VERITEE_WORKER_RPC_URL"):
        _config(rpc_url=None)


def test_environment_fills_gaps_and_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERITEE_WORKER_PORT", "7999")
    monkeypatch.setenv("VERITEE_WORKER_MODELS", "5, 6")
    monkeypatch.setenv("VERITEE_WORKER_GATEKEEPERS", json.dumps(GATEKEEPERS[:1]))
    monkeypatch.setenv("VERITEE_WORKER_PROVIDER_OPTIONS", '{"key_dir": "/tmp/x"}')
    config = _config(models=None, gatekeepers=None, port=None, max_concurrent=9)
    assert config.port == 7999 and config.models == (5, 6) and config.max_concurrent == 9
    assert [e.index for e in config.gatekeepers] == [2]
    assert config.provider_options == {"key_dir": "/tmp/x"}
    assert _config(port=1234).port == 1234


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"operator_key": "zz"}, "operator_key is not hex"),
        ({"operator_key": b"\x01" * 31}, "operator_key must be 32 bytes"),
        ({"operator_key": bytes(32)}, "operator_key is not a valid secp256k1 key"),
        ({"port": "http"}, "port must be an integer"),
        ({"port": 70_000}, "port must be at most 65535"),
        ({"max_concurrent": 0}, "max_concurrent must be at least 1"),
        ({"models": []}, "models is empty"),
        ({"gatekeepers": []}, "gatekeepers is empty"),
        ({"gatekeepers": "[1, 2"}, "gatekeepers is not valid JSON"),
        ({"gatekeepers": [{"index": 1}]}, "each entry needs index, address and url"),
        ({"renew_before": 86_400}, "renew_before must be shorter than certificate_lifetime"),
        ({"provider_options": "[]"}, "provider_options must be an object"),
        ({"deployment": "/no/such/deployment.json"}, "worker setting deployment"),
        ({"blob_schemes": "ftp"}, "blob_schemes must list some of https, http, file"),
        ({"blob_schemes": []}, "blob_schemes must list some of https, http, file"),
    ],
)
def test_invalid_settings_are_named(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(**changes)


def test_from_file_json_and_toml(tmp_path: Path) -> None:
    deployment = tmp_path / "deployment.json"
    fake_deployment().save(deployment)
    settings = {
        "operator_key": "0x" + OPERATOR_KEY.hex(),
        "deployment": str(deployment),
        "rpc_url": "http://127.0.0.1:8545",
        "gatekeepers": GATEKEEPERS,
        "blob_store": "http://127.0.0.1:7500/blobs",
        "models": [3],
        "price": 10,
    }
    as_json = tmp_path / "worker.json"
    as_json.write_text(json.dumps(settings))
    config = WorkerConfig.from_file(as_json, port=0)
    assert config.models == (3,) and config.price == 10 and config.port == 0
    as_toml = tmp_path / "worker.toml"
    lines = [f"{k} = {json.dumps(v)}" for k, v in settings.items() if k != "gatekeepers"]
    for entry in GATEKEEPERS:
        lines.append("[[gatekeepers]]")
        lines.extend(f"{k} = {json.dumps(v)}" for k, v in entry.items())
    as_toml.write_text("\n".join(lines) + "\n")
    assert WorkerConfig.from_file(as_toml).gatekeepers == config.gatekeepers


def test_from_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read worker config"):
        WorkerConfig.from_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"no_such_setting": 1}))
    with pytest.raises(ConfigError, match="no_such_setting"):
        WorkerConfig.from_file(bad)


def test_repr_hides_the_operator_key() -> None:
    config = _config()
    assert OPERATOR_KEY.hex() not in repr(config)
    assert config.operator in repr(config)


def test_provider_object_or_name() -> None:
    provider = SimulatedProvider({"role": "unit test"})
    assert _config(provider=provider).make_provider() is provider
    with pytest.raises(ConfigError, match="unknown TEE provider"):
        _config(provider="nitro").make_provider()
