"""Collateral sources: a file parsed once, and a PCCS cached in memory and on disk."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.unit.attestation.vectors import DAY, SGX, TDX
from veritee.attestation import (
    FileCollateral,
    PccsCollateral,
    QuotePolicy,
    QuoteVerifier,
    collateral_next_update,
)
from veritee.attestation.collateral import DEFAULT_PCCS_URL
from veritee.exceptions import CollateralError, QuoteError

# Earliest nextUpdate of the TDX sample: its PCK CRL, 2025-07-19T10:00:35Z.
TDX_NEXT_UPDATE = 1_752_919_235


class FakePccs:
    """Counts fetches and answers with a sample's collateral."""

    def __init__(self, collateral: Any = None, error: Exception | None = None) -> None:
        self.collateral = collateral if collateral is not None else TDX.collateral.collateral
        self.error = error
        self.calls: list[tuple[str, bytes]] = []

    async def __call__(self, url: str, raw: bytes) -> Any:
        self.calls.append((url, raw))
        if self.error is not None:
            raise self.error
        return self.collateral


def test_file_collateral_is_parsed_once() -> None:
    source = FileCollateral(TDX.collateral_path)
    assert source.collateral_for(TDX.raw) is source.collateral_for(SGX.raw)


def test_file_collateral_errors(tmp_path: Path) -> None:
    with pytest.raises(CollateralError, match="cannot read collateral file"):
        FileCollateral(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"tcb_info": 1}')
    with pytest.raises(CollateralError, match="not valid DCAP collateral JSON"):
        FileCollateral(bad)


def test_next_update_is_the_earliest_of_the_parts() -> None:
    assert collateral_next_update(TDX.collateral.collateral) == TDX_NEXT_UPDATE
    assert TDX.issued < TDX_NEXT_UPDATE < TDX.issued + 31 * DAY


def test_pccs_fetches_once_then_serves_memory_then_disk(tmp_path: Path) -> None:
    fetch = FakePccs()
    clock = [TDX.now]
    pccs = PccsCollateral("http://pccs.test", tmp_path, clock=lambda: clock[0], fetch=fetch)
    first = pccs.collateral_for(TDX.raw)
    assert pccs.collateral_for(TDX.raw) is first
    assert len(fetch.calls) == 1 and fetch.calls[0] == ("http://pccs.test", TDX.raw)
    (cached,) = tmp_path.glob("*.json")
    assert cached.name == "tdx-platform-b0c06f000000.json"
    assert json.loads(cached.read_text())["next_update"] == TDX_NEXT_UPDATE

    restarted = PccsCollateral("http://pccs.test", tmp_path, clock=lambda: clock[0], fetch=fetch)
    verifier = QuoteVerifier(restarted, QuotePolicy(), clock=lambda: clock[0])
    assert verifier.verify(TDX.raw).tcb_status == 0
    assert len(fetch.calls) == 1  # from disk

    clock[0] = TDX_NEXT_UPDATE
    pccs.collateral_for(TDX.raw)
    restarted.collateral_for(TDX.raw)
    assert len(fetch.calls) == 3  # stale in memory and on disk: fetched again


def test_pccs_ignores_a_damaged_cache_file(tmp_path: Path) -> None:
    fetch = FakePccs()
    (tmp_path / "tdx-platform-b0c06f000000.json").write_text("{not json")
    PccsCollateral("http://x", tmp_path, clock=lambda: TDX.now, fetch=fetch).collateral_for(TDX.raw)
    assert len(fetch.calls) == 1


def test_pccs_failure_is_a_collateral_error(tmp_path: Path) -> None:
    fetch = FakePccs(error=ValueError("HTTP 404"))
    pccs = PccsCollateral("http://x", tmp_path, clock=lambda: TDX.now, fetch=fetch)
    with pytest.raises(CollateralError, match=r"cannot fetch collateral from PCCS http://x: HTTP"):
        pccs.collateral_for(TDX.raw)


def test_pccs_refuses_a_malformed_quote(tmp_path: Path) -> None:
    pccs = PccsCollateral("http://x", tmp_path, fetch=FakePccs())
    with pytest.raises(QuoteError):
        pccs.collateral_for(b"\x04\x00")


def test_pccs_configuration_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VERITEE_PCCS_URL", raising=False)
    monkeypatch.setenv("VERITEE_HOME", str(tmp_path))
    default = PccsCollateral()
    assert default.url == DEFAULT_PCCS_URL
    assert default.cache_dir == tmp_path / "cache" / "collateral"
    monkeypatch.setenv("VERITEE_PCCS_URL", "https://pccs.example")
    assert PccsCollateral().url == "https://pccs.example"
    assert PccsCollateral("https://mine").url == "https://mine"


def test_pccs_works_inside_a_running_event_loop(tmp_path: Path) -> None:
    fetch = FakePccs()
    pccs = PccsCollateral("http://x", tmp_path, clock=lambda: TDX.now, fetch=fetch)

    async def inside() -> Any:
        return pccs.collateral_for(TDX.raw)

    assert asyncio.run(inside()) is fetch.collateral
