"""``veritee attest verify``: binary and hex input, Rich and JSON output, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.unit.attestation.vectors import DAY, OUTDATED, SGX, TDX, VECTORS
from veritee.attestation import SimulatedProvider
from veritee.cli.attest import read_quote
from veritee.cli.main import app
from veritee.exceptions import QuoteError

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["attest", "verify", *args])
    return result.exit_code, result.output


def verify_json(*args: str) -> tuple[int, dict[str, object]]:
    code, output = run(*args, "--json")
    return code, json.loads(output.strip().splitlines()[-1])


def test_binary_quote_json() -> None:
    code, document = verify_json(
        "--quote", str(TDX.quote_path), "--collateral", str(TDX.collateral_path),
        "--now", str(TDX.now),
    )  # fmt: skip
    assert code == 0
    assert document["ok"] is True
    assert document["tee_kind"] == "tdx"
    assert document["tcb_status"] == "UP_TO_DATE"
    assert document["secure"] is True
    assert str(document["measurement"]).startswith("0x")
    assert len(str(document["quote_hash"])) == 66


@pytest.mark.parametrize("prefix", ["", "0x"])
def test_hex_quote_with_or_without_prefix_and_whitespace(tmp_path: Path, prefix: str) -> None:
    text = TDX.raw.hex()
    wrapped = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    path = tmp_path / "quote.hex"
    path.write_text(f"  {prefix}{wrapped}\n")
    code, document = verify_json(
        "--quote", str(path), "--collateral", str(TDX.collateral_path), "--now", str(TDX.now)
    )
    assert code == 0
    binary = verify_json(
        "--quote", str(TDX.quote_path), "--collateral", str(TDX.collateral_path),
        "--now", str(TDX.now),
    )[1]  # fmt: skip
    assert document == binary


def test_upstream_hex_vector_is_read() -> None:
    raw = read_quote((VECTORS / "tdx-quote.hex").read_bytes())
    assert raw[:4] == b"\x04\x00\x02\x00"
    assert read_quote(b"\x04\x00\x02\x00") == b"\x04\x00\x02\x00"
    with pytest.raises(QuoteError, match="odd number"):
        read_quote(b"0xabc")


def test_rich_output_names_the_claims() -> None:
    code, output = run(
        "--quote", str(SGX.quote_path), "--collateral", str(SGX.collateral_path),
        "--now", str(SGX.now),
    )  # fmt: skip
    assert code == 0
    for text in ("sgx", "CONFIGURATION_AND_SW_HARDENING_NEEDED", "INTEL-SA-00289", "mrenclave"):
        assert text in output


@pytest.mark.parametrize(
    ("args", "kind", "message"),
    [
        (["--now", str(TDX.issued + 40 * DAY)], "CollateralError", "TCB info"),
        (["--collateral", str(SGX.collateral_path)], "CollateralError", "does not match"),
        (["--accept-tcb", "SW_HARDENING_NEEDED"], "PolicyViolation", "UpToDate is not accepted"),
    ],
)
def test_failures_are_json_with_their_kind(args: list[str], kind: str, message: str) -> None:
    base = {"--quote": str(TDX.quote_path), "--collateral": str(TDX.collateral_path)}
    base["--now"] = str(TDX.now)
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    flat = [item for pair in base.items() for item in pair]
    code, document = verify_json(*flat)
    assert code == 1
    assert document["ok"] is False
    assert document["kind"] == kind
    assert message in str(document["error"])


def test_outdated_vector_and_rejected_advisory_fail() -> None:
    code, document = verify_json(
        "--quote", str(OUTDATED.quote_path), "--collateral", str(OUTDATED.collateral_path),
        "--now", str(OUTDATED.now),
    )  # fmt: skip
    assert (code, document["kind"]) == (1, "PolicyViolation")
    code, output = run(
        "--quote", str(SGX.quote_path), "--collateral", str(SGX.collateral_path),
        "--now", str(SGX.now), "--reject-advisory", "INTEL-SA-00615",
    )  # fmt: skip
    assert code == 1
    assert "PolicyViolation" in output and "INTEL-SA-00615" in output


def test_tampered_and_missing_quotes_fail(tmp_path: Path) -> None:
    tampered = bytearray(TDX.raw)
    tampered[600] ^= 1
    path = tmp_path / "tampered"
    path.write_bytes(bytes(tampered))
    code, document = verify_json(
        "--quote", str(path), "--collateral", str(TDX.collateral_path), "--now", str(TDX.now)
    )
    assert (code, document["kind"]) == (1, "QuoteError")
    code, document = verify_json("--quote", str(tmp_path / "none"), "--collateral", "x")
    assert (code, document["kind"]) == (1, "ConfigError")


def test_simulated_quote_with_pinned_platform_key(tmp_path: Path) -> None:
    provider = SimulatedProvider({"dev": True}, key_dir=tmp_path / "platform")
    quote_path = tmp_path / "simulated.hex"
    quote_path.write_text(provider.get_quote(bytes(64)).raw.hex())
    key = tmp_path / "platform" / "platform-public-key.pem"
    code, document = verify_json("--quote", str(quote_path), "--platform-key", str(key))
    assert code == 0
    assert (document["tee_kind"], document["secure"]) == ("simulated", False)
    assert document["measurement"] == "0x" + provider.measurement().hex()
    code, output = run("--quote", str(quote_path), "--platform-key", str(key))
    assert "NO: simulated" in output
    code, document = verify_json(
        "--quote", str(quote_path), "--collateral", str(TDX.collateral_path)
    )
    assert (code, document["kind"]) == (1, "PolicyViolation")


def test_quote_from_stdin() -> None:
    args = ["attest", "verify", "--quote", "-", "--collateral", str(SGX.collateral_path)]
    result = runner.invoke(app, [*args, "--now", str(SGX.now), "--json"], input=SGX.raw.hex())
    assert result.exit_code == 0
    assert json.loads(result.output)["tee_kind"] == "sgx"
