"""Intel TDX quotes through the Linux configfs-tsm interface (kernel 6.7 and later).

To get a quote: create a report entry under ``/sys/kernel/config/tsm/report``, write the 64 bytes
of report data to its ``inblob``, read the quote from ``outblob``, and remove the entry. The
``generation`` counter goes up with each write to the entry; if it is not exactly one (our single
write) before and after reading ``outblob``, someone else wrote to the entry and the quote may not
carry our report data, so we refuse it.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from veritee.attestation.device_files import DeviceFiles, OsDeviceFiles
from veritee.attestation.provider import TeeProvider, check_report_data_length
from veritee.attestation.quote_format import parse_quote
from veritee.attestation.types import Quote
from veritee.chain.types import TeeKind
from veritee.exceptions import AttestationError, QuoteError, TeeUnavailable

__all__ = ["DEFAULT_TSM_REPORT_PATH", "TdxProvider"]

_log = logging.getLogger(__name__)

#: Where configfs-tsm report entries are created.
DEFAULT_TSM_REPORT_PATH = Path("/sys/kernel/config/tsm/report")
_TDX_PROVIDER_NAME = "tdx_guest"


class TdxProvider(TeeProvider):
    """Quotes from the TDX module of the guest this process runs in."""

    kind = TeeKind.TDX

    def __init__(
        self, path: str | Path = DEFAULT_TSM_REPORT_PATH, *, files: DeviceFiles | None = None
    ) -> None:
        self.path = Path(path)
        self._files: DeviceFiles = files if files is not None else OsDeviceFiles()

    def get_quote(self, report_data: bytes) -> Quote:
        """A TDX quote over ``report_data``; see the module docstring for the protocol."""
        data = check_report_data_length(report_data)
        files = self._files
        if not files.is_dir(self.path):
            raise TeeUnavailable(
                f"Intel TDX configfs-tsm interface not found at {self.path}: "
                "not running inside a TDX guest (or configfs is not mounted)"
            )
        entry = self.path / f"veritee-{os.getpid()}-{secrets.token_hex(8)}"
        try:
            files.mkdir(entry)
        except OSError as exc:
            raise TeeUnavailable(
                f"cannot create a configfs-tsm report entry {entry}: {exc}"
            ) from exc
        try:
            self._check_provider(entry)
            files.write(entry / "inblob", data)
            before = self._generation(entry)
            raw = files.read(entry / "outblob")
            after = self._generation(entry)
        except OSError as exc:
            raise AttestationError(
                f"configfs-tsm did not produce a TDX quote ({exc}): is the host's quote "
                "generation service (QGS) running and reachable?"
            ) from exc
        finally:
            try:
                files.rmdir(entry)
            except OSError as exc:
                _log.warning("could not remove configfs-tsm report entry %s: %s", entry, exc)
        if before != 1 or after != 1:
            raise AttestationError(
                f"configfs-tsm report entry {entry} was written concurrently "
                f"(generation {before} then {after}, expected 1): the quote may not carry "
                "our report data; retry"
            )
        parsed = parse_quote(raw)
        if parsed.kind != TeeKind.TDX or parsed.report_data != data:
            raise QuoteError(
                "configfs-tsm returned a quote that is not a TDX quote over our report data"
            )
        return Quote(kind=TeeKind.TDX, raw=raw)

    def _check_provider(self, entry: Path) -> None:
        try:
            name = self._files.read(entry / "provider").decode("ascii", "replace").strip()
        except OSError:
            return  # older kernels have no provider attribute
        if name != _TDX_PROVIDER_NAME:
            raise TeeUnavailable(
                f"configfs-tsm at {self.path} is provided by {name!r}, not Intel TDX "
                f"({_TDX_PROVIDER_NAME})"
            )

    def _generation(self, entry: Path) -> int:
        text = self._files.read(entry / "generation").decode("ascii", "replace").strip()
        try:
            return int(text)
        except ValueError:
            raise AttestationError(f"configfs-tsm generation is not a number: {text!r}") from None
