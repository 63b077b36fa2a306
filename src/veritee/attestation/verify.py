"""Verifying quotes: real ones with dcap-qvl against Intel collateral, simulated ones against a
pinned development key, and dstack event logs against the RTMRs they claim to explain.

Verification raises (:class:`QuoteError`, :class:`CollateralError`, :class:`PolicyViolation`) and
returns a :class:`VerifiedQuote` only when the quote is genuine, its collateral current at ``now``
and the policy accepts it. The clock is injectable and ``now`` can be fixed per call. Collateral
is parsed once by its source, so a verification adds little to the ``dcap_qvl.verify`` call.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import dcap_qvl
from cryptography.hazmat.primitives.asymmetric import ec

from veritee.attestation.collateral import CollateralSource
from veritee.attestation.dcap_errors import translate_dcap_error
from veritee.attestation.event_log import check_event_log
from veritee.attestation.policy import QuotePolicy, tcb_status_from_intel
from veritee.attestation.quote_format import ParsedQuote, parse_quote
from veritee.attestation.simulated import (
    load_platform_public_key,
    platform_key_bytes,
    verify_simulated,
)
from veritee.attestation.types import Quote, VerifiedQuote, measurement_digest
from veritee.chain.types import TeeKind
from veritee.exceptions import CollateralError, PolicyViolation, QuoteError

__all__ = ["QuoteVerifier"]


class QuoteVerifier:
    """Verifies quotes against collateral and a :class:`QuotePolicy`.

    ``collateral`` gives the collateral for each real quote (a per-call ``collateral`` overrides
    it); ``policy`` defaults to accepting only ``UpToDate``. Simulated quotes are refused unless
    ``simulated_platform_keys`` pins the development platform keys that may sign them.
    """

    def __init__(
        self,
        collateral: CollateralSource | None = None,
        policy: QuotePolicy | None = None,
        clock: Callable[[], float] = time.time,
        *,
        simulated_platform_keys: Iterable[bytes | ec.EllipticCurvePublicKey] = (),
    ) -> None:
        self.collateral = collateral
        self.policy = policy if policy is not None else QuotePolicy()
        self._clock = clock
        keys = [load_platform_public_key(key) for key in simulated_platform_keys]
        self._simulated_keys = {platform_key_bytes(key): key for key in keys}

    def verify(
        self,
        raw: bytes,
        *,
        now: int | None = None,
        collateral: CollateralSource | Any | None = None,
    ) -> VerifiedQuote:
        """Verifies ``raw`` (an SGX, TDX or simulated quote) at ``now`` (default: the clock)."""
        at = int(self._clock()) if now is None else int(now)
        parsed = parse_quote(raw)
        if parsed.kind == TeeKind.SIMULATED:
            return self._verify_simulated(raw, parsed, at)
        collateral_object = self._collateral(raw, collateral)
        try:
            report = dcap_qvl.verify(raw, collateral_object, at)
        except ValueError as exc:
            raise translate_dcap_error(str(exc)) from exc
        except TypeError as exc:
            raise CollateralError(f"not DCAP collateral: {exc}") from exc
        status = tcb_status_from_intel(report.status)
        advisories = tuple(report.advisory_ids)
        tcb_date = (
            _platform_tcb_date(raw, collateral_object, at)
            if self.policy.needs_tcb_date(status)
            else None
        )
        self.policy.check(status, advisories, now=at, tcb_date=tcb_date)
        registers = parsed.registers
        return VerifiedQuote(
            kind=parsed.kind,
            tcb_status=status,
            advisory_ids=advisories,
            registers=MappingProxyType(dict(registers)),
            report_data=parsed.report_data,
            measurement=measurement_digest(parsed.kind, registers),
            quote_hash=hashlib.sha256(raw).digest(),
            secure=True,
            verified_at=at,
        )

    def verify_quote(
        self,
        quote: Quote,
        *,
        now: int | None = None,
        collateral: CollateralSource | Any | None = None,
    ) -> VerifiedQuote:
        """Verifies a provider's :class:`Quote`, replaying its event log if it has one.

        A dstack quote is a TDX quote whose event log must replay to its RTMRs; it verifies as
        kind ``DSTACK`` (or ``SIMULATED`` if a dstack simulator signed it).
        """
        verified = self.verify(quote.raw, now=now, collateral=collateral)
        if quote.kind == TeeKind.DSTACK or quote.event_log:
            check_event_log(verified.registers, quote.event_log)
        if verified.kind == TeeKind.SIMULATED or quote.kind == verified.kind:
            kind = verified.kind
        elif quote.kind == TeeKind.DSTACK and verified.kind == TeeKind.TDX:
            kind = TeeKind.DSTACK
        else:
            raise QuoteError(
                f"quote claims to be {quote.kind.name} but is a {verified.kind.name} quote"
            )
        return replace(
            verified,
            kind=kind,
            measurement=measurement_digest(kind, verified.registers),
            event_log=quote.event_log,
        )

    def _collateral(self, raw: bytes, override: CollateralSource | Any | None) -> Any:
        source = override if override is not None else self.collateral
        if source is None:
            raise CollateralError("no collateral for the quote: configure a collateral source")
        if hasattr(source, "collateral_for"):
            return source.collateral_for(raw)
        return source

    def _verify_simulated(self, raw: bytes, parsed: ParsedQuote, now: int) -> VerifiedQuote:
        if not self._simulated_keys:
            raise PolicyViolation(
                "simulated quote refused: this verifier pins no simulated platform key "
                "(simulated quotes are for development networks only)"
            )
        key = self._simulated_keys.get(parsed.signature_data[64:])
        if key is None:
            raise QuoteError(
                "simulated quote is signed by a platform key this verifier does not pin"
            )
        return verify_simulated(raw, key, now)


def _platform_tcb_date(raw: bytes, collateral: Any, now: int) -> int | None:
    """The date (Unix seconds) of the platform TCB level a quote matched, from dcap-qvl's claims."""
    policy = (
        dcap_qvl.QuotePolicy.claims_only(now)
        .allow_dynamic_platform(True)
        .allow_cached_keys(True)
        .allow_smt(True)
    )
    try:
        claims = dcap_qvl.QuoteVerifier().verify_with_policy(raw, collateral, now, policy)
        return int(json.loads(claims.to_json())["platform"]["tcb_date_tag"])
    except (ValueError, KeyError, TypeError):
        return None
