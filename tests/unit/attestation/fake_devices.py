"""In-memory stand-ins for the kernel's configfs-tsm and Gramine's /dev/attestation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.unit.attestation.vectors import REPORT_DATA_OFFSET, SGX, TDX, with_report_data

QuoteMaker = Callable[[bytes], bytes]


def tdx_quote_over(report_data: bytes) -> bytes:
    """The upstream TDX sample with our report data spliced in (its signature no longer holds)."""
    return with_report_data(TDX.raw, REPORT_DATA_OFFSET["tdx"], report_data)


def sgx_quote_over(report_data: bytes) -> bytes:
    """The upstream SGX sample with our report data spliced in."""
    return with_report_data(SGX.raw, REPORT_DATA_OFFSET["sgx"], report_data)


class FakeConfigfs:
    """configfs-tsm: ``mkdir`` makes a report entry, ``inblob`` writes bump ``generation``,
    reading ``outblob`` produces a quote over ``inblob``, ``rmdir`` drops the entry."""

    def __init__(
        self,
        root: Path,
        make_quote: QuoteMaker = tdx_quote_over,
        provider: str = "tdx_guest",
        on_outblob: Callable[[FakeConfigfs, Path], None] | None = None,
    ) -> None:
        self.root = root
        self.make_quote = make_quote
        self.provider = provider
        self.on_outblob = on_outblob
        self.entries: dict[Path, dict[str, bytes | int]] = {}
        self.removed: list[Path] = []
        self.fail_outblob: OSError | None = None

    def is_dir(self, path: Path) -> bool:
        return path == self.root or path in self.entries

    def exists(self, path: Path) -> bool:
        return self.is_dir(path) or (path.parent in self.entries and path.name in _ATTRIBUTES)

    def mkdir(self, path: Path) -> None:
        if path.parent != self.root or path in self.entries:
            raise FileExistsError(path)
        self.entries[path] = {"inblob": b"", "generation": 0}

    def rmdir(self, path: Path) -> None:
        del self.entries[path]
        self.removed.append(path)

    def write(self, path: Path, data: bytes) -> None:
        entry = self.entries[path.parent]
        if path.name != "inblob" or len(data) > 64:
            raise PermissionError(path)
        entry["inblob"] = data
        entry["generation"] = int(entry["generation"]) + 1

    def bump(self, entry_path: Path) -> None:
        """Another process writing to the entry."""
        entry = self.entries[entry_path]
        entry["generation"] = int(entry["generation"]) + 1

    def read(self, path: Path) -> bytes:
        entry = self.entries[path.parent]
        if path.name == "generation":
            return f"{entry['generation']}\n".encode()
        if path.name == "provider":
            return f"{self.provider}\n".encode()
        if path.name == "outblob":
            if self.fail_outblob is not None:
                raise self.fail_outblob
            if self.on_outblob is not None:
                self.on_outblob(self, path.parent)
            inblob = entry["inblob"]
            assert isinstance(inblob, bytes)
            return self.make_quote(inblob)
        raise PermissionError(path)


_ATTRIBUTES = {"inblob", "outblob", "generation", "provider", "auxblob", "privlevel"}


class FakeGramine:
    """Gramine's /dev/attestation: ``user_report_data`` in, ``quote`` out."""

    def __init__(
        self, root: Path, make_quote: QuoteMaker = sgx_quote_over, mode: str | None = "dcap"
    ) -> None:
        self.root = root
        self.make_quote = make_quote
        self.mode = mode
        self.user_report_data = bytes(64)

    def is_dir(self, path: Path) -> bool:
        return path == self.root

    def exists(self, path: Path) -> bool:
        if path == self.root / "attestation_type":
            return self.mode is not None
        return path == self.root or path.parent == self.root

    def mkdir(self, path: Path) -> None:
        raise PermissionError(path)

    def rmdir(self, path: Path) -> None:
        raise PermissionError(path)

    def write(self, path: Path, data: bytes) -> None:
        if path != self.root / "user_report_data" or len(data) != 64:
            raise PermissionError(path)
        self.user_report_data = data

    def read(self, path: Path) -> bytes:
        if path == self.root / "quote":
            return self.make_quote(self.user_report_data)
        if path == self.root / "attestation_type" and self.mode is not None:
            return self.mode.encode()
        raise FileNotFoundError(path)
