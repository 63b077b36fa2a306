"""Where the collateral that verifies a DCAP quote comes from: a file, or a PCCS with a disk cache.

Collateral (Intel's TCB info, QE identity, CRLs and their issuer chains) is parsed once into a
``dcap_qvl.QuoteCollateralV3`` and reused, so a verification costs one ``dcap_qvl.verify`` call and
not a JSON parse besides. A PCCS answer is cached in memory and on disk until the earliest
``nextUpdate`` among its parts; after that it is fetched again.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import dcap_qvl
from cryptography import x509

from veritee.attestation.quote_format import parse_quote
from veritee.chain.types import TeeKind
from veritee.exceptions import CollateralError, QuoteError

__all__ = [
    "DEFAULT_PCCS_URL",
    "CollateralSource",
    "FileCollateral",
    "PccsCollateral",
    "collateral_next_update",
    "parse_collateral",
]

#: PCCS used when neither an argument nor ``$VERITEE_PCCS_URL`` names one.
DEFAULT_PCCS_URL = "https://pccs.phala.network"

#: ``async (pccs_url, raw_quote) -> QuoteCollateralV3``: how :class:`PccsCollateral` fetches.
CollateralFetcher = Callable[[str, bytes], Any]


class CollateralSource(Protocol):
    """Gives the parsed collateral for a quote."""

    def collateral_for(self, raw: bytes) -> Any:
        """The ``dcap_qvl.QuoteCollateralV3`` for ``raw``; raises :class:`CollateralError`."""
        ...


def parse_collateral(text: str, origin: str = "collateral") -> Any:
    """A ``dcap_qvl.QuoteCollateralV3`` from its JSON; raises :class:`CollateralError`."""
    try:
        return dcap_qvl.QuoteCollateralV3.from_json(text)
    except (ValueError, TypeError) as exc:
        raise CollateralError(f"{origin} is not valid DCAP collateral JSON: {exc}") from exc


def _timestamp(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def collateral_next_update(collateral: Any) -> int:
    """The earliest ``nextUpdate`` (Unix seconds) of the TCB info, QE identity and CRLs."""
    updates = [
        _timestamp(json.loads(collateral.tcb_info)["nextUpdate"]),
        _timestamp(json.loads(collateral.qe_identity)["nextUpdate"]),
    ]
    for crl in (collateral.root_ca_crl, collateral.pck_crl):
        next_update = x509.load_der_x509_crl(bytes(crl)).next_update_utc
        if next_update is not None:
            updates.append(int(next_update.timestamp()))
    return min(updates)


class FileCollateral:
    """Collateral from a JSON file (the format of ``QuoteCollateralV3.to_json``), parsed once."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CollateralError(f"cannot read collateral file {self.path}: {exc}") from exc
        self.collateral = parse_collateral(text, f"collateral file {self.path}")

    def collateral_for(self, raw: bytes) -> Any:
        """The file's collateral, whatever the quote (dcap-qvl reports a mismatch)."""
        return self.collateral


class PccsCollateral:
    """Collateral fetched from a PCCS (Intel PCS API v4) and cached until its ``nextUpdate``.

    ``url``: argument > ``$VERITEE_PCCS_URL`` > :data:`DEFAULT_PCCS_URL`. ``cache_dir``:
    argument > ``$VERITEE_HOME/cache/collateral``. ``fetch`` defaults to dcap-qvl's
    ``get_collateral``; ``clock`` decides when a cached answer is stale; ``fetches`` counts
    downloads.
    """

    def __init__(
        self,
        url: str | None = None,
        cache_dir: str | Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        fetch: CollateralFetcher | None = None,
    ) -> None:
        self.url = url or os.environ.get("VERITEE_PCCS_URL") or DEFAULT_PCCS_URL
        home = Path(os.environ.get("VERITEE_HOME") or Path.home() / ".veritee")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else home / "cache" / "collateral"
        self._clock = clock
        self._fetch: CollateralFetcher = fetch or dcap_qvl.get_collateral
        self._memory: dict[str, tuple[Any, int]] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def collateral_for(self, raw: bytes) -> Any:
        """The collateral for ``raw``'s platform (FMSPC) and TEE: from memory, disk or the PCCS."""
        key = self._cache_key(raw)
        now = int(self._clock())
        with self._lock:
            cached = self._memory.get(key)
            if cached is not None and now < cached[1]:
                return cached[0]
            entry = self._load(key, now) or self._download(key, raw)
            self._memory[key] = entry
            return entry[0]

    def _cache_key(self, raw: bytes) -> str:
        tee = "sgx" if parse_quote(raw).kind == TeeKind.SGX else "tdx"
        try:
            parsed = dcap_qvl.parse_quote(raw)
            fmspc, ca = str(parsed.fmspc()), str(parsed.ca())
        except ValueError as exc:
            raise QuoteError(f"cannot read the quote's platform (FMSPC): {exc}") from exc
        return f"{tee}-{ca}-{fmspc}".lower()

    def _load(self, key: str, now: int) -> tuple[Any, int] | None:
        path = self.cache_dir / f"{key}.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            next_update = int(document["next_update"])
            if now >= next_update:
                return None
            return parse_collateral(document["collateral"], str(path)), next_update
        except (OSError, ValueError, KeyError, TypeError, CollateralError):
            return None  # missing, stale or damaged: fetch again

    def _download(self, key: str, raw: bytes) -> tuple[Any, int]:
        async def fetch() -> Any:
            return await self._fetch(self.url, raw)

        try:
            collateral = _run_blocking(fetch)
        except (ValueError, RuntimeError, OSError) as exc:
            raise CollateralError(f"cannot fetch collateral from PCCS {self.url}: {exc}") from exc
        self.fetches += 1
        try:
            next_update = collateral_next_update(collateral)
        except (ValueError, KeyError, TypeError) as exc:
            raise CollateralError(f"PCCS {self.url} returned malformed collateral: {exc}") from exc
        document = {"next_update": next_update, "url": self.url, "collateral": collateral.to_json()}
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        staging = self.cache_dir / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        staging.write_text(json.dumps(document), encoding="utf-8")
        os.replace(staging, self.cache_dir / f"{key}.json")
        return collateral, next_update


def _run_blocking(coroutine_function: Callable[[], Any]) -> Any:
    """Runs an async function to completion from sync code, even inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_function())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_function())).result()
