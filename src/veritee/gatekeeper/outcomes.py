"""What a client learns from asking the gatekeepers: per-gatekeeper outcomes and the results.

Every request to a gatekeeper ends in one :class:`GatekeeperOutcome`: a valid answer, a lie
(a share whose DLEQ proof fails), a refusal with the gatekeeper's reason (denied, unauthenticated,
rate limited, not ready), no answer (down), or not needed (the threshold was reached first).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from veritee.crypto.typed_data import Certificate

__all__ = [
    "CertificateBundle",
    "GatekeeperEndpoint",
    "GatekeeperOutcome",
    "KeyRelease",
    "OutcomeKind",
    "describe_outcomes",
]


@dataclass(frozen=True)
class GatekeeperEndpoint:
    """Where gatekeeper ``index`` (on-chain member ``address``) answers HTTP."""

    index: int
    address: str
    url: str


class OutcomeKind(StrEnum):
    """How one gatekeeper's request ended."""

    VALID = "valid"
    LIED = "bad proof"
    BAD_ANSWER = "unreadable answer"
    DENIED = "denied"
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate limited"
    MALFORMED = "malformed request"
    UNAVAILABLE = "unavailable"
    DOWN = "down"
    NOT_NEEDED = "not needed"


_BY_STATUS = {
    400: OutcomeKind.MALFORMED,
    401: OutcomeKind.UNAUTHENTICATED,
    403: OutcomeKind.DENIED,
    429: OutcomeKind.RATE_LIMITED,
    503: OutcomeKind.UNAVAILABLE,
}


@dataclass(frozen=True)
class GatekeeperOutcome:
    """One gatekeeper's outcome; ``reason`` is the gatekeeper's phrase or the transport error."""

    index: int
    address: str
    kind: OutcomeKind
    reason: str | None = None
    http_status: int | None = None

    @classmethod
    def refused(cls, endpoint: GatekeeperEndpoint, status: int, reason: str) -> GatekeeperOutcome:
        """The outcome of an HTTP error answer."""
        kind = _BY_STATUS.get(status, OutcomeKind.UNAVAILABLE)
        return cls(endpoint.index, endpoint.address, kind, reason, status)

    def __str__(self) -> str:
        text = f"gatekeeper {self.index} ({self.address}): {self.kind.value}"
        if self.reason:
            status = f"{self.http_status}: " if self.http_status else ""
            text += f" ({status}{self.reason})"
        return text


def describe_outcomes(outcomes: Mapping[int, GatekeeperOutcome]) -> str:
    """Every outcome, in index order, as one line."""
    return "; ".join(str(outcomes[index]) for index in sorted(outcomes))


@dataclass(frozen=True)
class KeyRelease:
    """A key combined from ``t`` valid shares, and what every gatekeeper did."""

    key: bytes = field(repr=False)
    outcomes: Mapping[int, GatekeeperOutcome]

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcomes", MappingProxyType(dict(self.outcomes)))

    @property
    def used(self) -> tuple[int, ...]:
        """The gatekeepers whose valid shares were combined (or could have been)."""
        return tuple(i for i, o in sorted(self.outcomes.items()) if o.kind is OutcomeKind.VALID)

    @property
    def liars(self) -> tuple[GatekeeperOutcome, ...]:
        """Gatekeepers that answered with a share whose proof failed: report them."""
        return tuple(o for _, o in sorted(self.outcomes.items()) if o.kind is OutcomeKind.LIED)

    @property
    def failures(self) -> tuple[GatekeeperOutcome, ...]:
        """Gatekeepers that refused, were down or gave an unreadable answer."""
        skip = {OutcomeKind.VALID, OutcomeKind.LIED, OutcomeKind.NOT_NEEDED}
        return tuple(o for _, o in sorted(self.outcomes.items()) if o.kind not in skip)


@dataclass(frozen=True)
class CertificateBundle:
    """A worker certificate with ``t`` or more gatekeeper signatures, ordered by signer.

    Pass ``certificate`` and ``signatures`` to ``Workers.register`` or ``renew`` as they are.
    """

    certificate: Certificate
    signatures: tuple[bytes, ...]
    signers: tuple[str, ...]
    outcomes: Mapping[int, GatekeeperOutcome]
