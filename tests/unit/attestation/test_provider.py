"""The provider factory and the TeeUnavailable messages of each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from veritee.attestation import SimulatedPlatform, TeeProvider, make_provider
from veritee.attestation.dstack import DstackProvider, resolve_dstack_endpoint
from veritee.attestation.provider import PROVIDER_NAMES
from veritee.attestation.types import Quote
from veritee.chain.types import TeeKind
from veritee.exceptions import ConfigError, TeeUnavailable


def test_unknown_provider_names_are_config_errors() -> None:
    for name in ("", "nitro", "sev", "simulate"):
        with pytest.raises(ConfigError, match="unknown TEE provider") as error:
            make_provider(name)
        assert "simulated, tdx, dstack, sgx" in str(error.value)
    assert PROVIDER_NAMES == ("simulated", "tdx", "dstack", "sgx")


def test_unknown_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="invalid options for the tdx TEE provider"):
        make_provider("tdx", socket="/nowhere")


def test_names_are_case_insensitive(tmp_path: Path) -> None:
    provider = make_provider(" Simulated ", platform=SimulatedPlatform.generate())
    assert provider.kind == TeeKind.SIMULATED
    assert make_provider("TDX", path=tmp_path).kind == TeeKind.TDX


def test_dstack_without_socket_or_endpoint_is_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DSTACK_SIMULATOR_ENDPOINT", raising=False)
    # Point the socket search at paths that cannot exist, whatever this machine has.
    missing = (str(tmp_path / "dstack.sock"), str(tmp_path / "run" / "dstack.sock"))
    monkeypatch.setattr("veritee.attestation.dstack.DSTACK_SOCKET_PATHS", missing)
    with pytest.raises(TeeUnavailable) as error:
        make_provider("dstack")
    assert str(error.value).startswith(
        f"dstack guest agent socket not found at {missing[0]}: not running inside a dstack CVM"
    )


def test_dstack_endpoint_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DSTACK_SIMULATOR_ENDPOINT", "http://127.0.0.1:9")
    assert resolve_dstack_endpoint() == "http://127.0.0.1:9"
    assert resolve_dstack_endpoint("http://10.0.0.1:8090") == "http://10.0.0.1:8090"
    socket = tmp_path / "dstack.sock"
    socket.touch()
    assert resolve_dstack_endpoint(str(socket)) == str(socket)
    with pytest.raises(TeeUnavailable, match=r"not found at /nowhere/dstack\.sock"):
        DstackProvider("/nowhere/dstack.sock")


def test_unreachable_dstack_endpoint_is_unavailable() -> None:
    provider = DstackProvider("http://127.0.0.1:9", timeout=1)  # discard port: refused
    with pytest.raises(TeeUnavailable, match="cannot reach the dstack guest agent"):
        provider.get_quote(bytes(64))


def test_default_measurement_reads_a_quote() -> None:
    from veritee.attestation.simulated import SimulatedProvider

    inner = SimulatedProvider(platform=SimulatedPlatform.generate())

    class Wrapper(TeeProvider):
        kind = TeeKind.SIMULATED

        def get_quote(self, report_data: bytes) -> Quote:
            return inner.get_quote(report_data)

    assert Wrapper().measurement() == inner.measurement()
