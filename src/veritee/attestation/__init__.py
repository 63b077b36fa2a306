"""veritee.attestation: produce TEE quotes and verify them against Intel collateral and policy.

Producing: :func:`make_provider` gives a :class:`TeeProvider` (``simulated`` for development,
``tdx``, ``dstack``, ``sgx``) whose :meth:`~TeeProvider.get_quote` binds 64 bytes of report data,
built by :class:`ReportDataBinding`. Verifying: :class:`QuoteVerifier` checks a quote with
dcap-qvl against collateral (:class:`FileCollateral`, :class:`PccsCollateral`) and a
:class:`QuotePolicy`, and returns a :class:`VerifiedQuote` whose ``measurement`` is what the
on-chain TeePolicy lists; :func:`check_report_data` then checks the binding and nonce.
"""

from veritee.attestation.collateral import (
    CollateralSource,
    FileCollateral,
    PccsCollateral,
    collateral_next_update,
)
from veritee.attestation.policy import QuotePolicy
from veritee.attestation.provider import TeeProvider, make_provider
from veritee.attestation.report_data import ReportDataBinding, check_report_data
from veritee.attestation.simulated import (
    SimulatedPlatform,
    SimulatedProvider,
    verify_simulated,
)
from veritee.attestation.types import (
    EventLogEntry,
    Quote,
    VerifiedQuote,
    measurement_digest,
)
from veritee.attestation.verify import QuoteVerifier

__all__ = [
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
