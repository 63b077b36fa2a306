"""Intel SGX quotes from inside a Gramine enclave, through ``/dev/attestation``.

Gramine exposes DCAP attestation as pseudo-files: write the 64 bytes of report data to
``user_report_data``, then read the quote from ``quote``. The manifest must enable it with
``sgx.remote_attestation = "dcap"``; ``attestation_type`` tells which mode is on. The two steps
are not atomic, so this process serialises them with a lock.
"""

from __future__ import annotations

import threading
from pathlib import Path

from veritee.attestation.device_files import DeviceFiles, OsDeviceFiles
from veritee.attestation.provider import TeeProvider, check_report_data_length
from veritee.attestation.quote_format import parse_quote
from veritee.attestation.types import Quote
from veritee.chain.types import TeeKind
from veritee.exceptions import AttestationError, QuoteError, TeeUnavailable

__all__ = ["DEFAULT_GRAMINE_ATTESTATION_PATH", "SgxProvider"]

#: Gramine's attestation pseudo-filesystem.
DEFAULT_GRAMINE_ATTESTATION_PATH = Path("/dev/attestation")
_LOCK = threading.Lock()


class SgxProvider(TeeProvider):
    """DCAP quotes for the Gramine SGX enclave this process runs in."""

    kind = TeeKind.SGX

    def __init__(
        self,
        path: str | Path = DEFAULT_GRAMINE_ATTESTATION_PATH,
        *,
        files: DeviceFiles | None = None,
    ) -> None:
        self.path = Path(path)
        self._files: DeviceFiles = files if files is not None else OsDeviceFiles()

    def get_quote(self, report_data: bytes) -> Quote:
        """An SGX DCAP quote over ``report_data``."""
        data = check_report_data_length(report_data)
        files = self._files
        if not files.is_dir(self.path):
            raise TeeUnavailable(
                f"Gramine /dev/attestation not found at {self.path}: "
                "not running inside an SGX enclave under Gramine"
            )
        self._check_attestation_type()
        try:
            with _LOCK:
                files.write(self.path / "user_report_data", data)
                raw = files.read(self.path / "quote")
        except OSError as exc:
            raise AttestationError(
                f"Gramine did not produce an SGX quote ({exc}): is the host's AESM / quote "
                "provider (PCCS) configured?"
            ) from exc
        parsed = parse_quote(raw)
        if parsed.kind != TeeKind.SGX or parsed.report_data != data:
            raise QuoteError(
                "Gramine returned a quote that is not an SGX quote over our report data"
            )
        return Quote(kind=TeeKind.SGX, raw=raw)

    def _check_attestation_type(self) -> None:
        type_file = self.path / "attestation_type"
        if not self._files.exists(type_file):
            return
        try:
            mode = self._files.read(type_file).decode("ascii", "replace").strip()
        except OSError:
            return
        if mode != "dcap":
            raise TeeUnavailable(
                f"Gramine remote attestation is {mode!r}, not 'dcap': set "
                'sgx.remote_attestation = "dcap" in the enclave manifest'
            )
