"""RelayerConfig: argument > VERITEE_RELAYER_* > default, loud on what is missing or wrong."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from eth_account import Account

from veritee.chain.deployment import CONTRACT_NAMES, ContractRecord, Deployment
from veritee.exceptions import ConfigError
from veritee.relayer import RelayerConfig

KEY = "0x" + "42" * 32


def fake_deployment() -> Deployment:
    record = Deployment(chain_id=1337, deployer="0x" + "11" * 20, block=7)
    for number, name in enumerate(CONTRACT_NAMES, start=1):
        record.contracts[name] = ContractRecord("0x" + f"{number:02x}" * 20, "0x" + "00" * 32)
    return record


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("VERITEE_RELAYER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VERITEE_HOME", str(tmp_path / "home"))


def _config(**changes: object) -> RelayerConfig:
    arguments: dict[str, object] = {
        "deployment": fake_deployment(),
        "private_key": KEY,
        "rpc_url": "http://127.0.0.1:8545",
    }
    arguments.update(changes)
    return RelayerConfig(**arguments)  # type: ignore[arg-type]


def test_defaults(tmp_path: Path) -> None:
    config = _config()
    address = Account.from_key(KEY).address
    assert config.address == address
    assert config.db_path == tmp_path / "home" / "relayer" / f"{address.lower()}.db"
    assert (config.confirmations, config.start_block, config.max_block_range) == (2, 7, 2_000)
    assert (config.batch_size, config.batch_wait, config.lease_seconds) == (100, 10.0, 60)
    assert (config.max_attempts, config.base_backoff, config.max_backoff) == (8, 1.0, 300.0)
    assert (config.http_timeout, config.poll_interval, config.expire_overdue) == (10.0, 2.0, True)
    assert config.retry.max_attempts == 8 and config.batch_plan.batch_size == 100


def test_repr_never_shows_the_key() -> None:
    text = repr(_config())
    assert "42" * 8 not in text and "RelayerConfig(address=" in text


@pytest.mark.parametrize("name", ["deployment", "private_key"])
def test_missing_required_setting_names_argument_and_variable(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(**{name: None})
    assert f"relayer setting {name} is missing" in str(caught.value)
    assert f"VERITEE_RELAYER_{name.upper()}" in str(caught.value)


def test_a_chain_is_required() -> None:
    with pytest.raises(ConfigError, match=r"rpc_url is missing.*VERITEE_RELAYER_RPC_URL"):
        _config(rpc_url=None)


def test_environment_fills_gaps_and_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERITEE_RELAYER_CONFIRMATIONS", "0")
    monkeypatch.setenv("VERITEE_RELAYER_BATCH_SIZE", "25")
    monkeypatch.setenv("VERITEE_RELAYER_EXPIRE_OVERDUE", "no")
    config = _config(batch_size=50)
    assert (config.confirmations, config.batch_size, config.expire_overdue) == (0, 50, False)


def test_environment_supplies_required_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    record = tmp_path / "deployment.json"
    fake_deployment().save(record)
    monkeypatch.setenv("VERITEE_RELAYER_DEPLOYMENT", str(record))
    monkeypatch.setenv("VERITEE_RELAYER_PRIVATE_KEY", KEY)
    monkeypatch.setenv("VERITEE_RELAYER_RPC_URL", "http://node:8545")
    config = RelayerConfig()
    assert config.deployment.chain_id == 1337 and config.rpc_url == "http://node:8545"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"batch_size": 101}, "batch_size must be at most 100"),
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"confirmations": -1}, "confirmations must be at least 0"),
        ({"confirmations": "two"}, "confirmations must be an integer"),
        ({"confirmations": True}, "confirmations must be an integer"),
        ({"poll_interval": "fast"}, "poll_interval must be a number"),
        ({"batch_wait": float("nan")}, "batch_wait must be at least 0"),
        ({"lease_seconds": 7_200}, "lease_seconds must be at most 3600"),
        ({"base_backoff": 10, "max_backoff": 1}, "max_backoff must be at least base_backoff"),
        ({"expire_overdue": "maybe"}, "expire_overdue must be true or false"),
        ({"private_key": "zz"}, "private_key is not hex"),
        ({"private_key": "0x1234"}, "private_key must be 32 bytes"),
        ({"private_key": "0x" + "00" * 32}, "private_key is not a valid secp256k1 key"),
        ({"deployment": "/nonexistent/deployment.json"}, "relayer setting deployment:"),
    ],
)
def test_bad_values_name_the_setting(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(**changes)


def test_zero_confirmations_are_allowed_for_development() -> None:
    assert _config(confirmations=0).confirmations == 0


def test_from_json_and_toml_files(tmp_path: Path) -> None:
    record = tmp_path / "deployment.json"
    fake_deployment().save(record)
    settings = {
        "deployment": str(record),
        "private_key": KEY,
        "rpc_url": "http://127.0.0.1:8545",
        "batch_size": 20,
        "expire_overdue": False,
    }
    as_json = tmp_path / "relayer.json"
    as_json.write_text(json.dumps(settings))
    as_toml = tmp_path / "relayer.toml"
    as_toml.write_text(
        "\n".join(
            f"{k} = {json.dumps(v) if not isinstance(v, bool) else str(v).lower()}"
            for k, v in settings.items()
        )
    )
    for path in (as_json, as_toml):
        config = RelayerConfig.from_file(path, batch_wait=3)
        assert (config.batch_size, config.batch_wait, config.expire_overdue) == (20, 3.0, False)


def test_a_bad_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read relayer config"):
        RelayerConfig.from_file(tmp_path / "missing.json")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="must hold one object"):
        RelayerConfig.from_file(listed)
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"batch_sise": 3}))
    with pytest.raises(ConfigError, match="batch_sise"):
        RelayerConfig.from_file(unknown)
