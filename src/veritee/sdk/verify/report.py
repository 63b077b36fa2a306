"""The outcome of verifying a job: one :class:`Check` per link, and the verdict over them.

Pure data and logic. A check either passed, failed, or was skipped because it does not apply to
this job (an expired job has no result to hash, nor a batch to check the signature of). The
report is ``ok`` when at least one check ran, none failed, and the job reached a final state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from veritee.exceptions import VerificationFailed

__all__ = ["Check", "VerificationReport", "verdict"]


def _plain(value: Any) -> Any:
    """Evidence as JSON values: bytes become ``0x`` hex, tuples lists, mappings dicts."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Check:
    """One link of a job's chain of evidence.

    ``detail`` is one sentence for a person; ``evidence`` holds what was compared (hashes,
    addresses, blocks) so anyone can redo the check by hand.
    """

    name: str
    ok: bool
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    skipped: bool = False

    @classmethod
    def passed(cls, name: str, detail: str, **evidence: Any) -> Check:
        return cls(name, True, detail, evidence)

    @classmethod
    def failed(cls, name: str, detail: str, **evidence: Any) -> Check:
        return cls(name, False, detail, evidence)

    @classmethod
    def skip(cls, name: str, detail: str, **evidence: Any) -> Check:
        """A check that does not apply to this job: it neither passes nor fails the report."""
        return cls(name, True, detail, evidence, skipped=True)

    @property
    def status(self) -> str:
        """``"pass"``, ``"fail"`` or ``"skip"``."""
        if self.skipped:
            return "skip"
        return "pass" if self.ok else "fail"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "status": self.status,
            "detail": self.detail,
            "evidence": _plain(self.evidence),
        }


def verdict(checks: Iterable[Check]) -> bool:
    """True when some check ran and every check that ran passed."""
    ran = [check for check in checks if not check.skipped]
    return bool(ran) and all(check.ok for check in ran)


@dataclass(frozen=True)
class VerificationReport:
    """Every check made on job ``job_id``; ``ok`` is the :func:`verdict` over them."""

    job_id: int
    checks: tuple[Check, ...]
    ok: bool

    @classmethod
    def from_checks(cls, job_id: int, checks: Sequence[Check]) -> VerificationReport:
        return cls(job_id, tuple(checks), verdict(checks))

    @property
    def failures(self) -> list[Check]:
        """The checks that ran and failed."""
        return [check for check in self.checks if not check.ok]

    def check(self, name: str) -> Check:
        """The check called ``name``; KeyError if there is none."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def summary(self) -> str:
        """One line: the verdict, and what failed."""
        if self.ok:
            ran = sum(1 for check in self.checks if not check.skipped)
            skipped = len(self.checks) - ran
            extra = f", {skipped} not applicable" if skipped else ""
            return f"job {self.job_id} verified: every link holds ({ran} checked{extra})"
        failed = "; ".join(f"{c.name}: {c.detail}" for c in self.failures)
        return f"job {self.job_id} failed verification: {failed or 'nothing could be checked'}"

    def raise_for_failure(self) -> None:
        """Raises :class:`VerificationFailed` (carrying this report) unless the report is ok."""
        if not self.ok:
            raise VerificationFailed(self.summary(), self)

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "ok": self.ok,
            "checks": [check.to_json() for check in self.checks],
        }
