"""veritee.settings: the lookup and parsers the service configs share, and their messages."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from web3 import Web3

from tests.unit.gatekeeper.support import fake_deployment
from veritee.crypto.typed_data import address_of
from veritee.exceptions import ConfigError
from veritee.settings import (
    Settings,
    config_from_file,
    connect_chain,
    load_deployment,
    parse_account,
    parse_bool,
    parse_float,
    parse_hex,
    parse_int,
    read_settings_file,
    veritee_home,
)

KEY = bytes(range(1, 33))


def _settings(**arguments: object) -> Settings:
    return Settings("demo", "VERITEE_DEMO_", arguments)


def test_an_argument_beats_the_environment_which_beats_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VERITEE_DEMO_PORT", "7500")
    assert _settings(port=7600)("port", default=7700) == 7600
    assert _settings(port=None)("port", default=7700) == "7500"
    monkeypatch.setenv("VERITEE_DEMO_PORT", "")  # empty counts as unset
    assert _settings()("port", default=7700) == 7700


@pytest.mark.parametrize("required", [True, False])
def test_a_missing_setting_names_the_argument_and_the_variable(
    monkeypatch: pytest.MonkeyPatch, required: bool
) -> None:
    monkeypatch.delenv("VERITEE_DEMO_SIGNING_KEY", raising=False)
    message = (
        "demo setting signing_key is missing: pass signing_key= or set VERITEE_DEMO_SIGNING_KEY"
    )
    with pytest.raises(ConfigError, match=message):
        _settings()("signing_key", **({"required": True} if required else {}))


def test_rpc_url_is_required_without_an_in_process_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VERITEE_DEMO_RPC_URL", raising=False)
    with pytest.raises(ConfigError, match=r"rpc_url is missing: pass rpc_url= \(or w3=\)"):
        _settings().rpc_url(None)
    w3 = Web3()
    assert _settings().rpc_url(w3) is None
    assert _settings(rpc_url="http://node:8545").rpc_url(None) == "http://node:8545"
    assert connect_chain(w3, None) is w3


def test_veritee_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VERITEE_HOME", str(tmp_path))
    assert veritee_home() == tmp_path
    monkeypatch.delenv("VERITEE_HOME")
    assert veritee_home() == Path.home() / ".veritee"


def test_integers() -> None:
    assert parse_int("demo", "port", "7300") == 7300
    with pytest.raises(ConfigError, match="demo setting port must be an integer, got 'http'"):
        parse_int("demo", "port", "http")
    with pytest.raises(ConfigError, match="demo setting index must be at least 1, got 0"):
        parse_int("demo", "index", 0, minimum=1)
    with pytest.raises(ConfigError, match="must be an integer, got True"):
        parse_int("demo", "port", True)
    assert parse_int("demo", "port", True, allow_bool=True) == 1


def test_numbers() -> None:
    assert parse_float("demo", "wait", "2.5") == 2.5
    with pytest.raises(ConfigError, match="demo setting wait must be a number, got 'soon'"):
        parse_float("demo", "wait", "soon")
    with pytest.raises(ConfigError, match=r"demo setting wait must be at least 0\.5, got 0\.1"):
        parse_float("demo", "wait", 0.1, 0.5)
    with pytest.raises(ConfigError, match=r"must be at least 0\.0, got nan"):
        parse_float("demo", "wait", math.nan)
    assert math.isnan(parse_float("demo", "wait", math.nan, allow_nan=True))


@pytest.mark.parametrize(("text", "value"), [("Yes", True), (" on", True), ("0", False)])
def test_flags(text: str, value: bool) -> None:
    assert parse_bool("demo", "flag", text) is value
    assert parse_bool("demo", "flag", value) is value


def test_a_flag_that_is_neither() -> None:
    with pytest.raises(ConfigError, match="demo setting flag must be true or false, got 'maybe'"):
        parse_bool("demo", "flag", "maybe")


def test_hex_and_keys() -> None:
    assert parse_hex("demo", "key", " 0x" + KEY.hex(), 32) == KEY
    assert parse_hex("demo", "key", KEY, 32) == KEY
    with pytest.raises(ConfigError, match="demo setting key is not hex"):
        parse_hex("demo", "key", "zz", 32)
    with pytest.raises(ConfigError, match="demo setting key must be 32 bytes, got 2"):
        parse_hex("demo", "key", "0x1234", 32)
    assert parse_account("demo", "key", KEY.hex()).address == address_of(KEY)
    with pytest.raises(ConfigError, match="demo setting key is not a valid secp256k1 key"):
        parse_account("demo", "key", bytes(32))


def test_deployment_from_a_record_or_its_file(tmp_path: Path) -> None:
    record = fake_deployment()
    assert load_deployment("demo", record) is record
    path = tmp_path / "deployment.json"
    record.save(path)
    assert load_deployment("demo", str(path)).chain_id == record.chain_id
    with pytest.raises(ConfigError, match="demo setting deployment: "):
        load_deployment("demo", tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("name", "text"), [("demo.json", '{"port": 7300}'), ("demo.toml", "port = 7300")]
)
def test_settings_files(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert read_settings_file(path, "demo") == {"port": 7300}


def test_a_bad_settings_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(ConfigError, match=re.escape(f"cannot read demo config {missing}: ")):
        read_settings_file(missing, "demo")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    with pytest.raises(ConfigError, match=r"demo config .* must hold one object of settings"):
        read_settings_file(listed, "demo")


def test_config_from_file(tmp_path: Path) -> None:
    def factory(*, port: int, host: str = "127.0.0.1") -> tuple[str, int]:
        return host, port

    path = tmp_path / "demo.json"
    path.write_text(json.dumps({"port": 7300, "host": "0.0.0.0"}))
    assert config_from_file(factory, path, "demo", {"host": "::1"}) == ("::1", 7300)
    path.write_text(json.dumps({"prot": 7300}))
    with pytest.raises(ConfigError, match=r"demo config .*demo.json: .*prot"):
        config_from_file(factory, path, "demo", {})
