"""The configfs-tsm TDX backend against a fake kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.attestation.fake_devices import FakeConfigfs, sgx_quote_over
from tests.unit.attestation.vectors import TDX
from veritee.attestation import QuotePolicy, QuoteVerifier, make_provider
from veritee.attestation.quote_format import parse_quote
from veritee.attestation.tdx import DEFAULT_TSM_REPORT_PATH, TdxProvider
from veritee.chain.types import TeeKind
from veritee.exceptions import AttestationError, QuoteError, TeeUnavailable

ROOT = Path("/sys/kernel/config/tsm/report")
REPORT_DATA = bytes(range(64))


def test_quote_over_our_report_data_and_the_entry_is_removed() -> None:
    kernel = FakeConfigfs(ROOT)
    provider = TdxProvider(files=kernel)
    quote = provider.get_quote(REPORT_DATA)
    assert quote.kind == TeeKind.TDX
    assert parse_quote(quote.raw).report_data == REPORT_DATA
    assert kernel.entries == {}
    assert len(kernel.removed) == 1
    assert kernel.removed[0].parent == ROOT
    assert kernel.removed[0].name.startswith("veritee-")


def test_spliced_sample_is_refused_by_the_verifier() -> None:
    quote = TdxProvider(files=FakeConfigfs(ROOT)).get_quote(REPORT_DATA)
    verifier = QuoteVerifier(TDX.collateral, QuotePolicy.any_status())
    with pytest.raises(QuoteError, match="signature is invalid"):
        verifier.verify_quote(quote, now=TDX.now)


def test_each_quote_uses_a_fresh_entry() -> None:
    kernel = FakeConfigfs(ROOT)
    provider = TdxProvider(files=kernel)
    provider.get_quote(REPORT_DATA)
    provider.get_quote(REPORT_DATA)
    assert len(set(kernel.removed)) == 2


def test_a_concurrent_write_to_the_entry_is_detected() -> None:
    kernel = FakeConfigfs(ROOT, on_outblob=lambda fs, entry: fs.bump(entry))
    with pytest.raises(AttestationError, match=r"written concurrently \(generation 1 then 2"):
        TdxProvider(files=kernel).get_quote(REPORT_DATA)
    assert kernel.entries == {}


def test_missing_interface_is_tee_unavailable(tmp_path: Path) -> None:
    missing = tmp_path / "no-tsm"
    with pytest.raises(TeeUnavailable) as error:
        TdxProvider(missing).get_quote(REPORT_DATA)
    assert str(error.value) == (
        f"Intel TDX configfs-tsm interface not found at {missing}: "
        "not running inside a TDX guest (or configfs is not mounted)"
    )
    assert DEFAULT_TSM_REPORT_PATH == ROOT


def test_another_tsm_provider_is_tee_unavailable() -> None:
    kernel = FakeConfigfs(ROOT, provider="sev_guest")
    with pytest.raises(TeeUnavailable, match="provided by 'sev_guest', not Intel TDX"):
        TdxProvider(files=kernel).get_quote(REPORT_DATA)
    assert kernel.entries == {}


def test_quote_generation_failure_is_an_attestation_error() -> None:
    kernel = FakeConfigfs(ROOT)
    kernel.fail_outblob = OSError(5, "Input/output error")
    with pytest.raises(AttestationError, match="QGS"):
        TdxProvider(files=kernel).get_quote(REPORT_DATA)
    assert kernel.entries == {}


def test_a_quote_over_other_report_data_is_refused() -> None:
    kernel = FakeConfigfs(ROOT, make_quote=lambda data: TDX.raw)
    with pytest.raises(QuoteError, match="not a TDX quote over our report data"):
        TdxProvider(files=kernel).get_quote(REPORT_DATA)


def test_an_sgx_quote_is_refused() -> None:
    kernel = FakeConfigfs(ROOT, make_quote=sgx_quote_over)
    with pytest.raises(QuoteError, match="not a TDX quote"):
        TdxProvider(files=kernel).get_quote(REPORT_DATA)


def test_report_data_must_be_64_bytes() -> None:
    with pytest.raises(ValueError, match="exactly 64 bytes"):
        TdxProvider(files=FakeConfigfs(ROOT)).get_quote(bytes(32))


def test_factory_passes_the_path(tmp_path: Path) -> None:
    provider = make_provider("tdx", path=tmp_path)
    assert isinstance(provider, TdxProvider)
    assert provider.path == tmp_path
