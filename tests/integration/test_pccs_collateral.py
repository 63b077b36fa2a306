"""PccsCollateral against a local PCCS serving the sample collateral (no internet)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.pccs_server import PccsTestServer
from tests.unit.attestation.vectors import SGX, TDX
from veritee.attestation import PccsCollateral, QuotePolicy, QuoteVerifier
from veritee.chain.types import TcbStatus
from veritee.exceptions import CollateralError

TDX_NEXT_UPDATE = 1_752_919_235  # the TDX sample's PCK CRL nextUpdate


@pytest.fixture
def pccs() -> Iterator[PccsTestServer]:
    served = {
        ("sgx", "processor", "00A067110000"): SGX.collateral_path,
        ("tdx", "platform", "B0C06F000000"): TDX.collateral_path,
    }
    with PccsTestServer(served) as server:
        yield server


def test_tdx_and_sgx_collateral_fetched_cached_and_verified(
    pccs: PccsTestServer, tmp_path: Path
) -> None:
    clock = [TDX.now]
    source = PccsCollateral(pccs.url, tmp_path, clock=lambda: clock[0])
    verifier = QuoteVerifier(source, QuotePolicy.any_status(), clock=lambda: clock[0])
    assert verifier.verify(TDX.raw).tcb_status == TcbStatus.UP_TO_DATE
    assert "/tdx/certification/v4/tcb?fmspc=B0C06F000000&update=standard" in pccs.requests
    assert "/sgx/certification/v4/pckcrl?ca=platform&encoding=der" in pccs.requests
    fetched = len(pccs.requests)

    verifier.verify(TDX.raw)
    assert len(pccs.requests) == fetched  # memory
    again = PccsCollateral(pccs.url, tmp_path, clock=lambda: clock[0])
    QuoteVerifier(again, QuotePolicy(), clock=lambda: clock[0]).verify(TDX.raw)
    assert len(pccs.requests) == fetched  # disk
    assert again.fetches == 0

    sgx = verifier.verify(SGX.raw, now=SGX.now)
    assert sgx.advisory_ids == ("INTEL-SA-00289", "INTEL-SA-00615")
    assert "/sgx/certification/v4/qe/identity?update=standard" in pccs.requests
    assert sorted(p.name for p in tmp_path.glob("*.json")) == [
        "sgx-processor-00a067110000.json",
        "tdx-platform-b0c06f000000.json",
    ]

    clock[0] = TDX_NEXT_UPDATE + 1
    before = len(pccs.requests)
    source.collateral_for(TDX.raw)
    assert len(pccs.requests) > before  # past nextUpdate: fetched again


def test_pccs_errors_are_collateral_errors(pccs: PccsTestServer, tmp_path: Path) -> None:
    pccs.fail = True
    source = PccsCollateral(pccs.url, tmp_path, clock=lambda: TDX.now)
    with pytest.raises(CollateralError, match=f"cannot fetch collateral from PCCS {pccs.url}"):
        source.collateral_for(TDX.raw)


def test_unknown_platform_is_a_collateral_error(tmp_path: Path) -> None:
    with PccsTestServer({("sgx", "processor", "00A067110000"): SGX.collateral_path}) as server:
        source = PccsCollateral(server.url, tmp_path, clock=lambda: TDX.now)
        with pytest.raises(CollateralError, match="cannot fetch collateral"):
            source.collateral_for(TDX.raw)
