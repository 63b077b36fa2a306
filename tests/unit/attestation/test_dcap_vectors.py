"""Real Intel quotes verified with dcap-qvl at a fixed time, and every way they must fail."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from tests.unit.attestation.vectors import (
    DAY,
    OUTDATED,
    REPORT_DATA_OFFSET,
    SGX,
    TDX,
    VECTORS,
    Sample,
    flip_bit,
)
from veritee.attestation import FileCollateral, QuotePolicy, QuoteVerifier, measurement_digest
from veritee.attestation.quote_format import parse_quote
from veritee.chain.types import TcbStatus, TeeKind
from veritee.exceptions import CollateralError, PolicyViolation, QuoteError

ANY = QuotePolicy.any_status()


def verifier(sample: Sample, policy: QuotePolicy = ANY) -> QuoteVerifier:
    return QuoteVerifier(sample.collateral, policy, clock=lambda: sample.now)


def test_sgx_sample_verifies_with_its_documented_status_and_advisories() -> None:
    verified = verifier(SGX).verify(SGX.raw)
    assert verified.kind == TeeKind.SGX
    assert verified.tcb_status == TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED
    assert verified.advisory_ids == ("INTEL-SA-00289", "INTEL-SA-00615")
    assert verified.report_data.startswith(b"Hello, world!")
    assert verified.secure is True
    assert verified.verified_at == SGX.now
    registers = verified.registers
    assert registers["mrenclave"].hex().startswith("33d8736db756ed49")
    assert verified.measurement == measurement_digest(TeeKind.SGX, registers)
    assert len(verified.measurement) == 32


def test_tdx_sample_verifies_up_to_date_without_advisories() -> None:
    verified = verifier(TDX, QuotePolicy()).verify(TDX.raw)
    assert verified.kind == TeeKind.TDX
    assert verified.tcb_status == TcbStatus.UP_TO_DATE
    assert verified.advisory_ids == ()
    assert verified.registers["mrtd"].hex().startswith("91eb2b44d141d4ec")
    assert verified.registers["rtmr3"] == bytes(48)
    assert verified.report_data.hex().startswith("9a9d48e7f6799642")
    assert verified.quote_hash == hashlib.sha256(TDX.raw).digest()
    names = ("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3")
    concatenated = b"".join(verified.registers[name] for name in names)
    assert verified.measurement == hashlib.sha256(concatenated).digest()


def test_now_defaults_to_the_injected_clock_and_can_be_fixed_per_call() -> None:
    clock_verifier = QuoteVerifier(TDX.collateral, ANY, clock=lambda: TDX.now + 3600)
    assert clock_verifier.verify(TDX.raw).verified_at == TDX.now + 3600
    assert clock_verifier.verify(TDX.raw, now=TDX.now).verified_at == TDX.now


@pytest.mark.parametrize("sample", [SGX, TDX], ids=["sgx", "tdx"])
def test_every_bit_flip_of_the_header_is_rejected(sample: Sample) -> None:
    check = verifier(sample)
    raw = sample.raw
    for index in range(48):
        for bit in (0, 7):
            with pytest.raises(QuoteError):
                check.verify(flip_bit(raw, index, bit))


@pytest.mark.parametrize("sample", [SGX, TDX], ids=["sgx", "tdx"])
def test_every_bit_flip_of_the_report_data_is_rejected(sample: Sample) -> None:
    check = verifier(sample)
    raw = sample.raw
    offset = REPORT_DATA_OFFSET[sample.name]
    assert parse_quote(raw).report_data == raw[offset : offset + 64]
    for index in range(offset, offset + 64):
        with pytest.raises(QuoteError, match="ISV enclave report signature is invalid"):
            check.verify(flip_bit(raw, index))


@pytest.mark.parametrize("sample", [SGX, TDX], ids=["sgx", "tdx"])
def test_tampered_measurement_register_is_rejected(sample: Sample) -> None:
    offset = 48 + (64 if sample is SGX else 136)  # MRENCLAVE / MRTD
    with pytest.raises(QuoteError, match="signature is invalid"):
        verifier(sample).verify(flip_bit(sample.raw, offset + 5))


def test_truncated_and_empty_quotes_are_rejected() -> None:
    check = verifier(TDX)
    for raw in (b"", TDX.raw[:47], TDX.raw[:100], TDX.raw[:700]):
        with pytest.raises(QuoteError, match="malformed quote"):
            check.verify(raw)


def test_sgx_collateral_for_a_tdx_quote_does_not_match() -> None:
    with pytest.raises(CollateralError, match="does not match") as error:
        verifier(TDX).verify(TDX.raw, collateral=SGX.collateral, now=TDX.now)
    assert "another TEE type" in str(error.value)


def test_tdx_collateral_for_an_sgx_quote_does_not_match() -> None:
    with pytest.raises(CollateralError, match="does not match"):
        verifier(SGX).verify(SGX.raw, collateral=TDX.collateral, now=SGX.now)


def test_collateral_of_another_platform_does_not_match() -> None:
    with pytest.raises(CollateralError, match=r"does not match.*FMSPC"):
        verifier(TDX).verify(TDX.raw, collateral=OUTDATED.collateral, now=OUTDATED.now)


@pytest.mark.parametrize("sample", [SGX, TDX], ids=["sgx", "tdx"])
def test_tcb_info_expired_forty_days_after_issue(sample: Sample) -> None:
    with pytest.raises(CollateralError, match=r"collateral expired: the TCB info") as error:
        verifier(sample).verify(sample.raw, now=sample.issued + 40 * DAY)
    assert "TCBInfo expired" in str(error.value)


@pytest.mark.parametrize("sample", [SGX, TDX], ids=["sgx", "tdx"])
def test_collateral_expired_with_todays_clock(sample: Sample) -> None:
    today = QuoteVerifier(sample.collateral, ANY)  # the real clock
    with pytest.raises(CollateralError, match="expired") as error:
        today.verify(sample.raw)
    assert error.value.__cause__ is not None
    assert time.time() > sample.issued + 30 * DAY


def test_collateral_not_yet_valid_before_issue() -> None:
    with pytest.raises(CollateralError, match="TCB info is outside its validity window"):
        verifier(TDX).verify(TDX.raw, now=TDX.issued - DAY)


def test_certificate_not_yet_valid_is_a_collateral_window_error() -> None:
    # The outdated quote's PCK certificate was issued after the other sample's collateral.
    with pytest.raises(CollateralError, match=r"not yet valid"):
        verifier(OUTDATED).verify(OUTDATED.raw, collateral=TDX.collateral, now=TDX.now)


def test_disallowed_tcb_status_is_a_policy_violation_naming_it() -> None:
    strict = verifier(SGX, QuotePolicy())
    with pytest.raises(
        PolicyViolation, match="TCB status ConfigurationAndSWHardeningNeeded is not accepted"
    ):
        strict.verify(SGX.raw)


def test_rejected_advisory_is_a_policy_violation_naming_it() -> None:
    policy = QuotePolicy(
        accepted_tcb=frozenset(TcbStatus), rejected_advisories=frozenset({"intel-sa-00615"})
    )
    with pytest.raises(PolicyViolation, match="advisory INTEL-SA-00615 is rejected"):
        verifier(SGX, policy).verify(SGX.raw)


def test_policy_tightened_by_the_chain_rejects_what_the_chain_refuses() -> None:
    local = QuotePolicy.any_status()
    onchain = {TcbStatus.UP_TO_DATE, TcbStatus.SW_HARDENING_NEEDED}
    tight = verifier(SGX, local.tightened(onchain))
    with pytest.raises(PolicyViolation, match="not accepted"):
        tight.verify(SGX.raw)
    assert verifier(TDX, local.tightened(onchain)).verify(TDX.raw).tcb_status == 0


def test_outdated_sample_has_no_matching_tcb_level() -> None:
    with pytest.raises(PolicyViolation, match="no matching TCB level") as error:
        verifier(OUTDATED).verify(OUTDATED.raw)
    assert "No matching TCB level found" in str(error.value)


def test_outdated_sample_parses_as_a_v5_td_report_15() -> None:
    parsed = parse_quote(OUTDATED.raw)
    assert (parsed.version, parsed.kind) == (5, TeeKind.TDX)
    assert {"mr_servicetd", "tee_tcb_svn2"} <= set(parsed.registers)


def test_no_collateral_source_is_a_collateral_error() -> None:
    with pytest.raises(CollateralError, match="no collateral"):
        QuoteVerifier(None, ANY).verify(TDX.raw, now=TDX.now)


def test_collateral_object_can_be_passed_per_call() -> None:
    verified = QuoteVerifier(None, ANY).verify(
        TDX.raw, now=TDX.now, collateral=TDX.collateral.collateral
    )
    assert verified.tcb_status == TcbStatus.UP_TO_DATE


def test_tampered_collateral_signature_is_a_collateral_error(tmp_path: Path) -> None:
    document = json.loads(TDX.collateral_path.read_text())
    signature = document["tcb_info_signature"]
    document["tcb_info_signature"] = ("0" if signature[0] != "0" else "1") + signature[1:]
    path = tmp_path / "collateral.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CollateralError, match="TCB info signature does not verify"):
        QuoteVerifier(FileCollateral(path), ANY).verify(TDX.raw, now=TDX.now)


def test_hex_vectors_are_tdx_quotes() -> None:
    for name in ("tdx-quote.hex", "quote-from-tappd.hex"):
        text = (VECTORS / name).read_text().strip().removeprefix("0x")
        parsed = parse_quote(bytes.fromhex(text))
        assert parsed.kind == TeeKind.TDX
    tappd = bytes.fromhex((VECTORS / "quote-from-tappd.hex").read_text().strip())
    assert parse_quote(tappd).registers["rtmr3"] != bytes(48)


def test_something_that_is_not_collateral_is_a_collateral_error() -> None:
    with pytest.raises(CollateralError, match="not DCAP collateral"):
        QuoteVerifier(None, ANY).verify(TDX.raw, now=TDX.now, collateral=object())


def test_a_quote_claiming_another_kind_is_refused() -> None:
    from veritee.attestation import Quote

    with pytest.raises(QuoteError, match="claims to be SGX but is a TDX quote"):
        verifier(TDX).verify_quote(Quote(TeeKind.SGX, TDX.raw))
    dstack = verifier(TDX).verify_quote(Quote(TeeKind.TDX, TDX.raw))
    assert dstack.kind == TeeKind.TDX
