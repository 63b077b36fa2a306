"""The development-only simulated TEE: quote shape, signature, tamper resistance, key handling."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import dcap_qvl
import pytest

from tests.unit.attestation.vectors import TDX
from veritee.attestation import (
    QuoteVerifier,
    ReportDataBinding,
    SimulatedPlatform,
    SimulatedProvider,
    check_report_data,
    make_provider,
    verify_simulated,
)
from veritee.attestation.code_measurement import canonical_json, code_measurement
from veritee.attestation.quote_format import SIMULATED_TEE_TYPE, parse_quote
from veritee.attestation.simulated import build_simulated_quote, load_platform_public_key
from veritee.attestation.types import measurement_digest
from veritee.chain.types import TcbStatus, TeeKind
from veritee.exceptions import ConfigError, PolicyViolation, QuoteError, ReportDataMismatch

NOW = 1_750_000_000
BINDING = ReportDataBinding(
    domain="veritee.worker.v1",
    chain_id=31337,
    registry="0x" + "11" * 20,
    enclave="0x" + "22" * 20,
    x25519_public=bytes(range(32)),
    operator="0x" + "33" * 20,
)
NONCE = b"\x5a" * 32


@pytest.fixture(scope="module")
def platform() -> SimulatedPlatform:
    return SimulatedPlatform.generate()


@pytest.fixture(scope="module")
def provider(platform: SimulatedPlatform) -> SimulatedProvider:
    return SimulatedProvider({"model": "tiny", "port": 8080}, platform=platform, clock=lambda: NOW)


def test_round_trip_with_report_data_binding(
    provider: SimulatedProvider, platform: SimulatedPlatform
) -> None:
    quote = provider.get_quote(BINDING.report_data(NONCE))
    assert quote.kind == TeeKind.SIMULATED
    verified = verify_simulated(quote.raw, platform.public_key_pem(), NOW)
    assert verified.secure is False
    assert verified.kind == TeeKind.SIMULATED
    assert verified.tcb_status == TcbStatus.UP_TO_DATE
    assert verified.measurement == provider.measurement()
    assert verified.registers["mrtd"] == code_measurement({"port": 8080, "model": "tiny"})
    assert verified.quote_hash == quote.quote_hash
    check_report_data(verified.report_data, BINDING, NONCE)
    with pytest.raises(ReportDataMismatch, match="nonce"):
        check_report_data(verified.report_data, BINDING, bytes(32))


def test_quote_has_the_tdx_v4_shape_with_simulated_markers(provider: SimulatedProvider) -> None:
    raw = provider.get_quote(bytes(64)).raw
    parsed = parse_quote(raw)
    assert (parsed.version, parsed.tee_type) == (4, SIMULATED_TEE_TYPE)
    assert parsed.qe_vendor_id == b"VERITEE SIMULATE"
    assert parsed.signed_length == 48 + 584
    assert len(raw) == 48 + 584 + 4 + 128


def test_dcap_qvl_never_accepts_a_simulated_quote(provider: SimulatedProvider) -> None:
    raw = provider.get_quote(bytes(64)).raw
    with pytest.raises(ValueError, match="Verification failed"):
        dcap_qvl.verify(raw, TDX.collateral.collateral, TDX.now)


def test_every_single_byte_tamper_is_rejected(
    provider: SimulatedProvider, platform: SimulatedPlatform
) -> None:
    raw = provider.get_quote(BINDING.report_data(NONCE)).raw
    key = platform.public_key
    for index in range(len(raw)):
        tampered = bytearray(raw)
        tampered[index] ^= 0x01
        with pytest.raises(QuoteError):
            verify_simulated(bytes(tampered), key, NOW)
    with pytest.raises(QuoteError, match="trailing"):
        verify_simulated(raw + b"\0", key, NOW)
    with pytest.raises(QuoteError):
        verify_simulated(raw[:-1], key, NOW)


def test_high_s_twin_of_a_signature_is_refused(
    provider: SimulatedProvider, platform: SimulatedPlatform
) -> None:
    raw = provider.get_quote(bytes(64)).raw
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    s_offset = 48 + 584 + 4 + 32
    s = int.from_bytes(raw[s_offset : s_offset + 32], "big")
    twin = raw[:s_offset] + (order - s).to_bytes(32, "big") + raw[s_offset + 32 :]
    with pytest.raises(QuoteError, match="not canonical"):
        verify_simulated(twin, platform.public_key, NOW)


def test_another_platform_key_is_refused(provider: SimulatedProvider) -> None:
    raw = provider.get_quote(bytes(64)).raw
    other = SimulatedPlatform.generate()
    with pytest.raises(QuoteError, match="another platform key"):
        verify_simulated(raw, other.public_key_bytes, NOW)


def test_a_quote_from_the_future_is_refused(platform: SimulatedPlatform) -> None:
    raw = build_simulated_quote(platform, bytes(64), {}, issued_at=NOW + 301)
    with pytest.raises(QuoteError, match="after now"):
        verify_simulated(raw, platform.public_key, NOW)
    verify_simulated(raw, platform.public_key, NOW + 1)


def test_a_real_quote_is_not_a_simulated_one(platform: SimulatedPlatform) -> None:
    with pytest.raises(QuoteError, match="not a simulated quote"):
        verify_simulated(TDX.raw, platform.public_key, NOW)


def test_quote_verifier_refuses_simulated_quotes_unless_a_key_is_pinned(
    provider: SimulatedProvider, platform: SimulatedPlatform
) -> None:
    raw = provider.get_quote(bytes(64)).raw
    with pytest.raises(PolicyViolation, match="simulated quote refused"):
        QuoteVerifier(TDX.collateral).verify(raw, now=NOW)
    other = SimulatedPlatform.generate()
    with pytest.raises(QuoteError, match="does not pin"):
        QuoteVerifier(simulated_platform_keys=[other.public_key_pem()]).verify(raw, now=NOW)
    pinned = QuoteVerifier(simulated_platform_keys=[other.public_key, platform.public_key_bytes])
    verified = pinned.verify_quote(provider.get_quote(bytes(64)), now=NOW)
    assert verified.secure is False
    assert verified.measurement == provider.measurement()


def test_measurement_follows_code_and_configuration(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("print(1)\n")
    (package / "sub" / "b.vy").write_text("# contract\n")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    base = code_measurement({"a": 1}, package)
    assert len(base) == 48
    assert code_measurement({"a": 1}, package) == base
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"other junk")
    assert code_measurement({"a": 1}, package) == base
    assert code_measurement({"a": 2}, package) != base
    (package / "a.py").write_text("print(2)\n")
    assert code_measurement({"a": 1}, package) != base
    (package / "a.py").write_text("print(1)\n")
    (package / "sub" / "b.vy").rename(package / "sub" / "c.vy")
    assert code_measurement({"a": 1}, package) != base
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()


def test_platform_key_is_persisted_and_reloaded(tmp_path: Path) -> None:
    directory = tmp_path / "platform"
    first = SimulatedPlatform.load_or_create(directory)
    second = SimulatedPlatform.load_or_create(directory)
    assert first.public_key_bytes == second.public_key_bytes
    key_file = directory / "platform-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    exported = (directory / "platform-public-key.pem").read_bytes()
    assert exported == first.public_key_pem()
    assert load_platform_public_key(exported).public_numbers() == first.public_key.public_numbers()
    assert sorted(os.listdir(directory)) == ["platform-key.pem", "platform-public-key.pem"]


def test_default_key_dir_is_under_veritee_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("VERITEE_HOME", str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="veritee.attestation.simulated"):
        provider = make_provider("simulated", config={"x": 1})
    assert (tmp_path / "simulated-platform" / "platform-key.pem").exists()
    assert isinstance(provider, SimulatedProvider)
    warnings = [r for r in caplog.records if "SIMULATED TEE" in r.getMessage()]
    assert len(warnings) == 1
    assert "development only" in warnings[0].getMessage()
    assert provider.secure is False


def test_a_damaged_key_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "platform-key.pem").write_text("not a key")
    with pytest.raises(ConfigError, match="cannot load the simulated platform key"):
        SimulatedPlatform.load_or_create(tmp_path)


def test_platform_public_key_formats() -> None:
    platform = SimulatedPlatform.generate()
    raw64 = platform.public_key_bytes
    for form in (raw64, b"\x04" + raw64, platform.public_key_pem(), platform.public_key):
        assert (
            load_platform_public_key(form).public_numbers() == platform.public_key.public_numbers()
        )
    with pytest.raises(ConfigError, match="not a simulated platform public key"):
        load_platform_public_key(b"\x04" + bytes(64))


def test_measurement_digest_uses_the_tdx_registers(provider: SimulatedProvider) -> None:
    assert provider.measurement() == measurement_digest(TeeKind.TDX, provider.registers)
