"""The SDK's curated surface, and its settings."""

from __future__ import annotations

import pytest

import veritee.sdk
from veritee.exceptions import ConfigError
from veritee.sdk import ClientOptions


def test_options_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERITEE_POLL_INTERVAL", "0.5")
    assert ClientOptions().poll_interval == 0.5
    assert ClientOptions(poll_interval=3).poll_interval == 3
    monkeypatch.setenv("VERITEE_POLL_INTERVAL", "soon")
    with pytest.raises(ConfigError, match="VERITEE_POLL_INTERVAL"):
        ClientOptions()
    with pytest.raises(ConfigError, match="status_timeout"):
        ClientOptions(poll_interval=1, status_timeout=0)


def test_public_surface() -> None:
    assert sorted(veritee.sdk.__all__) == sorted(
        [
            "CapsuleFee",
            "Check",
            "Client",
            "ClientOptions",
            "FeeQuote",
            "JobProgress",
            "SubmittedJob",
            "SyncClient",
            "VerificationReport",
            "VerifyOptions",
            "WorkerCandidate",
            "WorkerLoad",
            "choose_worker",
            "compute_price",
            "format_amount",
            "job_info_to_json",
            "parse_worker_status",
            "protocol_fee",
            "verify_job",
        ]
    )
    for name in veritee.sdk.__all__:
        assert hasattr(veritee.sdk, name)
