"""Pins veritee.attestation's curated public surface."""

import veritee.attestation


def test_attestation_surface() -> None:
    assert sorted(veritee.attestation.__all__) == sorted(
        [
            "CollateralSource",
            "EventLogEntry",
            "FileCollateral",
            "PccsCollateral",
            "Quote",
            "QuotePolicy",
            "QuoteVerifier",
            "ReportDataBinding",
            "SimulatedPlatform",
            "SimulatedProvider",
            "TeeProvider",
            "VerifiedQuote",
            "check_report_data",
            "collateral_next_update",
            "make_provider",
            "measurement_digest",
            "verify_simulated",
        ]
    )
    for name in veritee.attestation.__all__:
        assert hasattr(veritee.attestation, name)
