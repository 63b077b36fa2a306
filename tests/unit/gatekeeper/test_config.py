"""GatekeeperConfig: argument > VERITEE_GATEKEEPER_* > default, loud on what is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.gatekeeper.support import fake_deployment
from veritee.attestation.collateral import FileCollateral, PccsCollateral
from veritee.attestation.simulated import SimulatedPlatform
from veritee.chain.types import TcbStatus
from veritee.crypto.typed_data import address_of
from veritee.exceptions import ConfigError
from veritee.gatekeeper.config import GatekeeperConfig

SIGNING = bytes(range(1, 33))
ENCRYPTION = bytes(range(2, 34))
VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "dcap"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("VERITEE_GATEKEEPER_"):
            monkeypatch.delenv(name)


def _config(**changes: object) -> GatekeeperConfig:
    arguments: dict[str, object] = {
        "index": 2,
        "signing_key": SIGNING,
        "encryption_key": ENCRYPTION,
        "deployment": fake_deployment(),
        "rpc_url": "http://127.0.0.1:8545",
    }
    arguments.update(changes)
    return GatekeeperConfig(**arguments)  # type: ignore[arg-type]


def test_defaults() -> None:
    config = _config()
    assert config.address == address_of(SIGNING)
    assert (config.host, config.port, config.confirmations) == ("127.0.0.1", 7300, 2)
    assert config.head_max_age == 0.5
    assert config.quote_policy.accepted_tcb == frozenset({TcbStatus.UP_TO_DATE})
    assert isinstance(config.collateral, PccsCollateral)
    assert config.simulated_platform_keys == ()


@pytest.mark.parametrize("name", ["index", "signing_key", "encryption_key", "deployment"])
def test_missing_required_setting_names_argument_and_variable(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(**{name: None})
    assert f"gatekeeper setting {name} is missing" in str(caught.value)
    assert f"VERITEE_GATEKEEPER_{name.upper()}" in str(caught.value)


def test_missing_chain_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"rpc_url is missing.*VERITEE_GATEKEEPER_RPC_URL"):
        _config(rpc_url=None)


def test_environment_fills_what_arguments_leave_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERITEE_GATEKEEPER_INDEX", "3")
    monkeypatch.setenv("VERITEE_GATEKEEPER_SIGNING_KEY", "0x" + SIGNING.hex())
    monkeypatch.setenv("VERITEE_GATEKEEPER_CONFIRMATIONS", "5")
    monkeypatch.setenv("VERITEE_GATEKEEPER_ACCEPTED_TCB", "UpToDate, SWHardeningNeeded")
    config = _config(index=None, signing_key=None, confirmations=None)
    assert (config.index, config.address, config.confirmations) == (3, address_of(SIGNING), 5)
    assert TcbStatus.SW_HARDENING_NEEDED in config.quote_policy.accepted_tcb
    assert _config(confirmations=1).confirmations == 1  # an argument beats the variable


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"signing_key": "zz"}, "signing_key is not hex"),
        ({"encryption_key": b"short"}, "encryption_key must be 32 bytes"),
        ({"index": 0}, "index must be at least 1"),
        ({"port": "http"}, "port must be an integer"),
        ({"rate_limit": 0}, "rate_limit must be positive"),
        ({"head_max_age": -1}, "head_max_age must be 0 to 60 seconds"),
        ({"deployment": "/no/such/record.json"}, "deployment: cannot read"),
        ({"simulated_platform_keys": "nothex"}, "not hex, not a file"),
    ],
)
def test_invalid_settings_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(**changes)


def test_secrets_stay_out_of_repr() -> None:
    text = repr(_config())
    assert SIGNING.hex() not in text and ENCRYPTION.hex() not in text
    assert "index=2" in text


def test_platform_keys_from_hex_or_pem_file(tmp_path: Path) -> None:
    platform = SimulatedPlatform.generate()
    pem = tmp_path / "platform.pem"
    pem.write_bytes(platform.public_key_pem())
    config = _config(simulated_platform_keys=f"{platform.public_key_bytes.hex()},{pem}")
    assert config.simulated_platform_keys == (platform.public_key_bytes,) * 2


def test_collateral_file_setting() -> None:
    config = _config(collateral_file=VECTORS / "tdx_quote_collateral.json")
    assert isinstance(config.collateral, FileCollateral)


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_from_file(tmp_path: Path, suffix: str) -> None:
    record = tmp_path / "deployment.json"
    fake_deployment().save(record)
    settings = {
        "index": 1,
        "signing_key": SIGNING.hex(),
        "encryption_key": ENCRYPTION.hex(),
        "deployment": str(record),
        "rpc_url": "http://127.0.0.1:1",
        "port": 0,
    }
    path = tmp_path / f"gatekeeper{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(settings))
    else:
        path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()))
    config = GatekeeperConfig.from_file(path, confirmations=0)
    assert (config.index, config.port, config.confirmations) == (1, 0, 0)
    assert config.deployment == fake_deployment()


def test_from_file_refuses_unknown_settings(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"index": 1, "colour": "blue"}))
    with pytest.raises(ConfigError, match="colour"):
        GatekeeperConfig.from_file(path)
    with pytest.raises(ConfigError, match="cannot read gatekeeper config"):
        GatekeeperConfig.from_file(tmp_path / "missing.json")
