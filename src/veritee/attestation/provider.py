"""The interface every TEE backend implements, and the factory that picks one by name.

Backends: ``simulated`` (development only, a software quote), ``tdx`` (Linux configfs-tsm),
``dstack`` (the dstack guest agent), ``sgx`` (Gramine's ``/dev/attestation``). Each module is
imported only when its backend is asked for.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from veritee.attestation.quote_format import parse_quote
from veritee.attestation.types import Quote, measurement_digest
from veritee.chain.types import TeeKind
from veritee.exceptions import ConfigError

__all__ = ["PROVIDER_NAMES", "TeeProvider", "make_provider"]

#: The backend names :func:`make_provider` knows.
PROVIDER_NAMES = ("simulated", "tdx", "dstack", "sgx")


class TeeProvider(ABC):
    """A source of attestation quotes for the TEE this process runs in."""

    #: The on-chain TEE kind of the quotes this provider produces.
    kind: ClassVar[TeeKind]

    @abstractmethod
    def get_quote(self, report_data: bytes) -> Quote:
        """A fresh quote whose report data is ``report_data`` (exactly 64 bytes).

        Raises :class:`~veritee.exceptions.TeeUnavailable` when the TEE is not there and
        :class:`~veritee.exceptions.AttestationError` when it fails to produce a quote.
        """

    def measurement(self) -> bytes:
        """The ``bytes32`` measurement this TEE's quotes carry (see :mod:`.types`).

        The default reads it from a quote over zero report data, unverified: use it to learn
        what to allow-list, never to decide whether to trust.
        """
        quote = self.get_quote(bytes(64))
        return measurement_digest(self.kind, parse_quote(quote.raw).registers)


def check_report_data_length(report_data: bytes) -> bytes:
    """``report_data`` as bytes if exactly 64 bytes long; raises ``ValueError`` otherwise."""
    if len(report_data) != 64:
        raise ValueError(f"report data must be exactly 64 bytes, got {len(report_data)}")
    return bytes(report_data)


def make_provider(name: str, **options: Any) -> TeeProvider:
    """The TEE backend called ``name``, constructed with ``options``.

    ``simulated``: :class:`~.simulated.SimulatedProvider` (``config``, ``key_dir``, ...);
    ``tdx``: :class:`~.tdx.TdxProvider` (``path``); ``dstack``: :class:`~.dstack.DstackProvider`
    (``endpoint``); ``sgx``: :class:`~.sgx.SgxProvider` (``path``). Raises
    :class:`~veritee.exceptions.ConfigError` for an unknown name or options the backend does
    not take.
    """
    key = name.strip().lower()
    provider_class: type[TeeProvider]
    if key == "simulated":
        from veritee.attestation.simulated import SimulatedProvider

        provider_class = SimulatedProvider
    elif key == "tdx":
        from veritee.attestation.tdx import TdxProvider

        provider_class = TdxProvider
    elif key == "dstack":
        from veritee.attestation.dstack import DstackProvider

        provider_class = DstackProvider
    elif key == "sgx":
        from veritee.attestation.sgx import SgxProvider

        provider_class = SgxProvider
    else:
        raise ConfigError(
            f"unknown TEE provider {name!r}: expected one of {', '.join(PROVIDER_NAMES)}"
        )
    try:
        return provider_class(**options)
    except TypeError as exc:
        raise ConfigError(f"invalid options for the {key} TEE provider: {exc}") from exc
