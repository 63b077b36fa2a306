"""The upstream DCAP samples in tests/vectors/dcap, and the fixed clocks they verify at."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from veritee.attestation.collateral import FileCollateral

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "dcap"
DAY = 86_400


def _timestamp(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


@dataclass(frozen=True)
class Sample:
    """One quote with its collateral and the TCB info's issue date."""

    name: str
    quote_path: Path
    collateral_path: Path

    @property
    def raw(self) -> bytes:
        return self.quote_path.read_bytes()

    @property
    def tcb_info(self) -> dict[str, Any]:
        document = json.loads(self.collateral_path.read_text())
        return dict(json.loads(document["tcb_info"]))

    @property
    def issued(self) -> int:
        return _timestamp(self.tcb_info["issueDate"])

    @property
    def now(self) -> int:
        """Inside every validity window: the TCB info's issue date plus one day."""
        return self.issued + DAY

    @property
    def collateral(self) -> FileCollateral:
        return _file_collateral(self.collateral_path)


@cache
def _file_collateral(path: Path) -> FileCollateral:
    return FileCollateral(path)


SGX = Sample("sgx", VECTORS / "sgx_quote", VECTORS / "sgx_quote_collateral.json")
TDX = Sample("tdx", VECTORS / "tdx_quote", VECTORS / "tdx_quote_collateral.json")
OUTDATED = Sample(
    "tdx_outdated", VECTORS / "tdx_quote_outdated", VECTORS / "tdx_quote_outdated_collateral.json"
)

#: Offset of the 64 bytes of report data: header (48) + its place in the report body.
REPORT_DATA_OFFSET = {"sgx": 48 + 320, "tdx": 48 + 520}


def flip_bit(raw: bytes, index: int, bit: int = 0) -> bytes:
    """``raw`` with one bit of byte ``index`` flipped."""
    changed = bytearray(raw)
    changed[index] ^= 1 << bit
    return bytes(changed)


def with_report_data(raw: bytes, offset: int, report_data: bytes) -> bytes:
    """``raw`` with its report data replaced (the signature no longer covers it)."""
    return raw[:offset] + report_data + raw[offset + 64 :]
