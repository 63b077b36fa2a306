"""What a simulated quote measures: the worker's installed code and its configuration.

A real TDX MRTD is the SHA-384 of the TD's initial memory; a simulated quote's MRTD is the SHA-384
of the installed ``veritee`` package (every file but bytecode caches, in sorted path order, each
as its relative POSIX path and its bytes) and of the worker's configuration as canonical JSON. A
changed line of code or setting gives a different measurement, which the on-chain policy of a
development network must then allow, just as on real hardware.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import veritee

__all__ = ["canonical_json", "code_measurement", "package_files"]

_DOMAIN = b"veritee.simulated.mrtd.v1"


def canonical_json(config: Mapping[str, Any]) -> bytes:
    """``config`` as canonical JSON: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        config, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def package_files(root: Path | None = None) -> Iterator[tuple[str, Path]]:
    """``(relative POSIX path, path)`` of each file of the package under ``root``, sorted.

    ``root`` defaults to the installed ``veritee`` package; bytecode caches are skipped.
    """
    base = root if root is not None else Path(veritee.__file__).resolve().parent
    entries = []
    for path in base.rglob("*"):
        if "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"} or not path.is_file():
            continue
        entries.append((path.relative_to(base).as_posix(), path))
    yield from sorted(entries)


def code_measurement(config: Mapping[str, Any], root: Path | None = None) -> bytes:
    """The 48-byte SHA-384 over the package's files and ``config`` (the simulated MRTD)."""
    files = list(package_files(root))
    digest = hashlib.sha384(_DOMAIN + struct.pack(">Q", len(files)))
    for relative, path in files:
        name = relative.encode("utf-8")
        content = path.read_bytes()
        digest.update(struct.pack(">Q", len(name)) + name)
        digest.update(struct.pack(">Q", len(content)) + content)
    encoded = canonical_json(config)
    digest.update(struct.pack(">Q", len(encoded)) + encoded)
    return digest.digest()
