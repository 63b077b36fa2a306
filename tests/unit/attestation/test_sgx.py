"""The Gramine SGX backend against a fake /dev/attestation and a real directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.attestation.fake_devices import FakeGramine, sgx_quote_over, tdx_quote_over
from veritee.attestation import make_provider
from veritee.attestation.device_files import OsDeviceFiles
from veritee.attestation.quote_format import parse_quote
from veritee.attestation.sgx import DEFAULT_GRAMINE_ATTESTATION_PATH, SgxProvider
from veritee.chain.types import TeeKind
from veritee.exceptions import AttestationError, QuoteError, TeeUnavailable

ROOT = Path("/dev/attestation")
REPORT_DATA = b"\xab" * 64


def test_quote_over_our_report_data() -> None:
    gramine = FakeGramine(ROOT)
    quote = SgxProvider(files=gramine).get_quote(REPORT_DATA)
    assert quote.kind == TeeKind.SGX
    assert gramine.user_report_data == REPORT_DATA
    assert parse_quote(quote.raw).report_data == REPORT_DATA


def test_real_directory_through_os_files(tmp_path: Path) -> None:
    (tmp_path / "attestation_type").write_text("dcap")
    (tmp_path / "quote").write_bytes(sgx_quote_over(REPORT_DATA))
    quote = SgxProvider(tmp_path).get_quote(REPORT_DATA)
    assert (tmp_path / "user_report_data").read_bytes() == REPORT_DATA
    assert quote.raw == sgx_quote_over(REPORT_DATA)


def test_missing_device_is_tee_unavailable(tmp_path: Path) -> None:
    missing = tmp_path / "attestation"
    with pytest.raises(TeeUnavailable) as error:
        SgxProvider(missing).get_quote(REPORT_DATA)
    assert str(error.value) == (
        f"Gramine /dev/attestation not found at {missing}: "
        "not running inside an SGX enclave under Gramine"
    )
    assert DEFAULT_GRAMINE_ATTESTATION_PATH == ROOT


@pytest.mark.parametrize("mode", ["none", "epid"])
def test_attestation_other_than_dcap_is_tee_unavailable(mode: str) -> None:
    with pytest.raises(TeeUnavailable, match=f"is '{mode}', not 'dcap'"):
        SgxProvider(files=FakeGramine(ROOT, mode=mode)).get_quote(REPORT_DATA)


def test_older_gramine_without_attestation_type_still_works() -> None:
    SgxProvider(files=FakeGramine(ROOT, mode=None)).get_quote(REPORT_DATA)


def test_a_tdx_quote_or_stale_quote_is_refused() -> None:
    with pytest.raises(QuoteError, match="not an SGX quote"):
        SgxProvider(files=FakeGramine(ROOT, make_quote=tdx_quote_over)).get_quote(REPORT_DATA)
    with pytest.raises(QuoteError, match="over our report data"):
        stale = FakeGramine(ROOT, make_quote=lambda _: sgx_quote_over(bytes(64)))
        SgxProvider(files=stale).get_quote(REPORT_DATA)


def test_io_failure_is_an_attestation_error(tmp_path: Path) -> None:
    (tmp_path / "attestation_type").write_text("dcap")  # no quote file
    with pytest.raises(AttestationError, match="did not produce an SGX quote"):
        SgxProvider(tmp_path).get_quote(REPORT_DATA)


def test_factory_and_os_files(tmp_path: Path) -> None:
    assert isinstance(make_provider("SGX", path=tmp_path), SgxProvider)
    files = OsDeviceFiles()
    entry = tmp_path / "entry"
    files.mkdir(entry)
    assert files.is_dir(entry) and files.exists(entry)
    files.write(entry / "blob", b"x" * 70_000)
    assert files.read(entry / "blob") == b"x" * 70_000
    (entry / "blob").unlink()
    files.rmdir(entry)
    assert not files.exists(entry)
