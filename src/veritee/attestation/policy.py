"""Which verified quotes to accept: TCB statuses, security advisories and a grace period.

Pure decisions on plain data, no I/O. A :class:`QuotePolicy` is the off-chain half of the rule;
the on-chain TeePolicy holds the other half, and :meth:`QuotePolicy.tightened` combines them so
that a gatekeeper never certifies what the chain would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from veritee.chain.types import TcbStatus
from veritee.exceptions import PolicyViolation, QuoteError

__all__ = [
    "INTEL_TCB_STATUS_NAMES",
    "OUT_OF_DATE_STATUSES",
    "QuotePolicy",
    "tcb_status_from_intel",
]

#: Intel's (and dcap-qvl's) name of each TCB status.
INTEL_TCB_STATUS_NAMES: Mapping[TcbStatus, str] = MappingProxyType(
    {
        TcbStatus.UP_TO_DATE: "UpToDate",
        TcbStatus.SW_HARDENING_NEEDED: "SWHardeningNeeded",
        TcbStatus.CONFIGURATION_NEEDED: "ConfigurationNeeded",
        TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED: "ConfigurationAndSWHardeningNeeded",
        TcbStatus.OUT_OF_DATE: "OutOfDate",
        TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED: "OutOfDateConfigurationNeeded",
        TcbStatus.REVOKED: "Revoked",
    }
)
_BY_INTEL_NAME = {name: status for status, name in INTEL_TCB_STATUS_NAMES.items()}

#: The statuses a grace period can excuse: the platform missed a TCB recovery.
OUT_OF_DATE_STATUSES = frozenset(
    {TcbStatus.OUT_OF_DATE, TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED}
)


def tcb_status_from_intel(name: str) -> TcbStatus:
    """The :class:`TcbStatus` for Intel's name of it; raises :class:`QuoteError` if unknown."""
    try:
        return _BY_INTEL_NAME[name]
    except KeyError:
        raise QuoteError(f"unknown TCB status {name!r} from the quote verifier") from None


def _names(statuses: Iterable[TcbStatus]) -> str:
    return ", ".join(INTEL_TCB_STATUS_NAMES[status] for status in sorted(statuses)) or "none"


@dataclass(frozen=True)
class QuotePolicy:
    """Accepted TCB statuses, rejected advisories and a grace period for out-of-date platforms.

    A quote passes if its TCB status is in ``accepted_tcb`` (or is out of date but its platform's
    TCB level is dated less than ``grace_period_s`` before now, as in dcap-qvl's platform grace
    period) and none of its advisory ids is in ``rejected_advisories`` (compared
    case-insensitively).
    """

    accepted_tcb: frozenset[TcbStatus] = frozenset({TcbStatus.UP_TO_DATE})
    rejected_advisories: frozenset[str] = field(default_factory=frozenset)
    grace_period_s: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "accepted_tcb", frozenset(TcbStatus(s) for s in self.accepted_tcb))
        object.__setattr__(
            self, "rejected_advisories", frozenset(a.upper() for a in self.rejected_advisories)
        )
        if self.grace_period_s < 0:
            raise ValueError("grace_period_s must not be negative")

    @classmethod
    def any_status(cls) -> QuotePolicy:
        """Accepts every status but Revoked: for inspecting quotes, never for granting keys."""
        return cls(accepted_tcb=frozenset(set(TcbStatus) - {TcbStatus.REVOKED}))

    def tightened(
        self,
        onchain_accepted: Iterable[TcbStatus | int],
        rejected_advisories: Iterable[str] = (),
        grace_period_s: int | None = None,
    ) -> QuotePolicy:
        """This policy intersected with the on-chain one: stricter than both, never looser.

        Accepted statuses are those both accept; advisories either rejects are rejected; the grace
        period is the shorter one, and zero if the chain accepts no out-of-date status (it would
        refuse the certificate anyway).
        """
        onchain = frozenset(TcbStatus(status) for status in onchain_accepted)
        grace = (
            self.grace_period_s
            if grace_period_s is None
            else min(self.grace_period_s, grace_period_s)
        )
        if not onchain & OUT_OF_DATE_STATUSES:
            grace = 0
        return QuotePolicy(
            accepted_tcb=self.accepted_tcb & onchain,
            rejected_advisories=self.rejected_advisories | {a.upper() for a in rejected_advisories},
            grace_period_s=grace,
        )

    def needs_tcb_date(self, status: TcbStatus) -> bool:
        """Whether :meth:`check` needs the platform's TCB level date to decide on ``status``."""
        return (
            status not in self.accepted_tcb
            and status in OUT_OF_DATE_STATUSES
            and self.grace_period_s > 0
        )

    def check(
        self,
        status: TcbStatus,
        advisory_ids: Iterable[str],
        *,
        now: int,
        tcb_date: int | None = None,
    ) -> None:
        """Raises :class:`PolicyViolation` naming the status or advisory the policy rejects.

        ``tcb_date`` (Unix seconds) is the platform TCB level's date; it matters only when
        :meth:`needs_tcb_date` says so.
        """
        if status not in self.accepted_tcb:
            name = INTEL_TCB_STATUS_NAMES[status]
            if not self.needs_tcb_date(status):
                raise PolicyViolation(
                    f"TCB status {name} is not accepted by the policy "
                    f"(accepted: {_names(self.accepted_tcb)})"
                )
            if tcb_date is None or tcb_date + self.grace_period_s < now:
                raise PolicyViolation(
                    f"TCB status {name} is past its grace period of {self.grace_period_s} s "
                    f"(platform TCB level dated {tcb_date}, now {now}; "
                    f"accepted: {_names(self.accepted_tcb)})"
                )
        rejected = sorted({a.upper() for a in advisory_ids} & self.rejected_advisories)
        if rejected:
            raise PolicyViolation(f"advisory {', '.join(rejected)} is rejected by the policy")
