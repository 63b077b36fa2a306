"""Rate limiting per worker, and the hash-chained audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veritee.gatekeeper.audit import AuditLog, AuditLogCorrupt, verify_audit_log
from veritee.gatekeeper.ratelimit import RateLimiter


def test_bucket_allows_burst_then_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.allow("w") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("other")  # buckets are per key
    now[0] = 0.5
    assert limiter.allow("w")
    assert not limiter.allow("w")


def test_invalid_limits() -> None:
    with pytest.raises(ValueError, match="rate must be positive"):
        RateLimiter(rate=0, burst=1)


def test_audit_log_chains_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "audit" / "log.jsonl"
    log = AuditLog(path, clock=lambda: 1.0)
    log.append("release", worker="0xabc", capsule=5)
    log.append("deny", worker="0xdef", reason="job is not assigned to this worker")
    resumed = AuditLog(path, clock=lambda: 2.0)
    record = resumed.append("release", worker="0xabc", capsule=6)
    assert record["seq"] == 2
    records = verify_audit_log(path)
    assert [r["event"] for r in records] == ["release", "deny", "release"]


@pytest.mark.parametrize("edit", ["change", "delete", "swap"])
def test_audit_log_detects_edits(tmp_path: Path, edit: str) -> None:
    path = tmp_path / "log.jsonl"
    log = AuditLog(path)
    for i in range(3):
        log.append("deny", worker="0x1", reason=f"r{i}")
    lines = path.read_text().splitlines()
    if edit == "change":
        record = json.loads(lines[1])
        record["reason"] = "allowed"
        lines[1] = json.dumps(record, sort_keys=True, separators=(",", ":"))
    elif edit == "delete":
        del lines[1]
    else:
        lines[0], lines[1] = lines[1], lines[0]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(AuditLogCorrupt, match="chain broken at line"):
        verify_audit_log(path)
    with pytest.raises(AuditLogCorrupt):
        AuditLog(path)


def test_audit_log_keeps_one_file_open_until_closed(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = AuditLog(path, clock=lambda: 1.0)
    log.append("capsule-share", decision="released", worker="0xabc")
    # Each record is on disk (written and fsync'ed) when append returns, not at close.
    assert [r["decision"] for r in verify_audit_log(path)] == ["released"]
    log.append("capsule-share", decision="denied", reason="x")
    log.close()
    log.close()  # twice is fine
    with pytest.raises(OSError):
        log.append("capsule-share", decision="released")
    assert [r["seq"] for r in verify_audit_log(path)] == [0, 1]
    assert AuditLog(path).append("x")["seq"] == 2
