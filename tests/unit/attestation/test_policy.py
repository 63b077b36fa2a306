"""QuotePolicy: pure decisions on TCB status, advisories and grace periods."""

from __future__ import annotations

import pytest

from tests.unit.attestation.vectors import TDX
from veritee.attestation.policy import (
    INTEL_TCB_STATUS_NAMES,
    QuotePolicy,
    tcb_status_from_intel,
)
from veritee.attestation.verify import _platform_tcb_date
from veritee.chain.types import TcbStatus
from veritee.exceptions import PolicyViolation, QuoteError

NOW = 1_750_000_000
DAY = 86_400


def test_intel_names_map_to_onchain_numbers() -> None:
    assert tcb_status_from_intel("UpToDate") == TcbStatus.UP_TO_DATE == 0
    assert tcb_status_from_intel("ConfigurationAndSWHardeningNeeded") == 3
    assert tcb_status_from_intel("OutOfDateConfigurationNeeded") == 5
    assert tcb_status_from_intel("Revoked") == 6
    assert set(INTEL_TCB_STATUS_NAMES) == set(TcbStatus)
    with pytest.raises(QuoteError, match="unknown TCB status 'Fine'"):
        tcb_status_from_intel("Fine")


def test_default_policy_accepts_only_up_to_date() -> None:
    policy = QuotePolicy()
    policy.check(TcbStatus.UP_TO_DATE, (), now=NOW)
    with pytest.raises(PolicyViolation, match=r"SWHardeningNeeded is not accepted.*UpToDate"):
        policy.check(TcbStatus.SW_HARDENING_NEEDED, (), now=NOW)


def test_rejected_advisories_are_case_insensitive_and_named() -> None:
    policy = QuotePolicy(rejected_advisories=frozenset({"intel-sa-00334"}))
    policy.check(TcbStatus.UP_TO_DATE, ("INTEL-SA-00615",), now=NOW)
    with pytest.raises(PolicyViolation, match="advisory INTEL-SA-00334 is rejected"):
        policy.check(TcbStatus.UP_TO_DATE, ("INTEL-SA-00615", "INTEL-SA-00334"), now=NOW)


def test_out_of_date_is_accepted_within_the_grace_period_only() -> None:
    policy = QuotePolicy(grace_period_s=30 * DAY)
    assert policy.needs_tcb_date(TcbStatus.OUT_OF_DATE)
    assert not policy.needs_tcb_date(TcbStatus.UP_TO_DATE)
    assert not policy.needs_tcb_date(TcbStatus.SW_HARDENING_NEEDED)
    policy.check(TcbStatus.OUT_OF_DATE, (), now=NOW, tcb_date=NOW - 29 * DAY)
    policy.check(TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED, (), now=NOW, tcb_date=NOW - 30 * DAY)
    with pytest.raises(PolicyViolation, match="OutOfDate is past its grace period"):
        policy.check(TcbStatus.OUT_OF_DATE, (), now=NOW, tcb_date=NOW - 31 * DAY)
    with pytest.raises(PolicyViolation, match="grace period"):
        policy.check(TcbStatus.OUT_OF_DATE, (), now=NOW, tcb_date=None)
    with pytest.raises(PolicyViolation, match="not accepted"):
        QuotePolicy().check(TcbStatus.OUT_OF_DATE, (), now=NOW, tcb_date=NOW)


def test_grace_does_not_excuse_a_rejected_advisory() -> None:
    policy = QuotePolicy(rejected_advisories=frozenset({"INTEL-SA-1"}), grace_period_s=DAY)
    with pytest.raises(PolicyViolation, match="INTEL-SA-1"):
        policy.check(TcbStatus.OUT_OF_DATE, ("INTEL-SA-1",), now=NOW, tcb_date=NOW)


def test_tightened_is_never_looser_than_either_side() -> None:
    local = QuotePolicy(
        accepted_tcb=frozenset({TcbStatus.UP_TO_DATE, TcbStatus.SW_HARDENING_NEEDED}),
        rejected_advisories=frozenset({"INTEL-SA-A"}),
        grace_period_s=10 * DAY,
    )
    onchain = {0, int(TcbStatus.CONFIGURATION_NEEDED), int(TcbStatus.OUT_OF_DATE)}
    tight = local.tightened(onchain, rejected_advisories={"intel-sa-b"}, grace_period_s=20 * DAY)
    assert tight.accepted_tcb == frozenset({TcbStatus.UP_TO_DATE})
    assert tight.rejected_advisories == frozenset({"INTEL-SA-A", "INTEL-SA-B"})
    assert tight.grace_period_s == 10 * DAY
    assert local.tightened(onchain, grace_period_s=DAY).grace_period_s == DAY


def test_tightened_drops_the_grace_when_the_chain_refuses_out_of_date() -> None:
    local = QuotePolicy(grace_period_s=10 * DAY)
    assert local.tightened({TcbStatus.UP_TO_DATE}).grace_period_s == 0


def test_any_status_excludes_revoked_and_negative_grace_is_refused() -> None:
    assert TcbStatus.REVOKED not in QuotePolicy.any_status().accepted_tcb
    with pytest.raises(ValueError, match="negative"):
        QuotePolicy(grace_period_s=-1)


def test_platform_tcb_date_comes_from_dcap_claims() -> None:
    # 2024-03-13T00:00:00Z, the TCB date of the level the TDX sample matches.
    assert _platform_tcb_date(TDX.raw, TDX.collateral.collateral, TDX.now) == 1_710_288_000
    assert _platform_tcb_date(b"garbage", TDX.collateral.collateral, TDX.now) is None
