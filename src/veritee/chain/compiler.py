"""Compile veritee's Vyper contracts with the pinned compiler, and cache the result.

Contracts live in ``veritee/contracts`` (interfaces in ``contracts/interfaces/*.vyi``) and may
import snekmate modules (``from snekmate.auth import ownable``). Compiling is slow (seconds for a
contract built from snekmate modules), so results are cached twice: in this process, and as JSON
files under ``$VERITEE_HOME/cache/contracts``. The cache key covers the compiler version, the
snekmate version and *every* source in the contracts directory, so editing an interface or a
sibling contract can never serve a stale build.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vyper
from vyper.compiler.input_bundle import FilesystemInputBundle
from vyper.exceptions import VyperException, VyperInternalException

from veritee.exceptions import CompilationError

__all__ = ["CompiledContract", "compile_all", "compile_contract", "contracts_dir"]

_log = logging.getLogger(__name__)

# Bump when the cached JSON layout or the compile settings change, to orphan old entries.
_CACHE_FORMAT = 1

_memory_cache: dict[str, CompiledContract] = {}
# vyper keeps global settings while compiling and `warnings.catch_warnings` is process-global,
# so compiles are serialised; the cache makes this cheap after the first run.
_compile_lock = threading.Lock()


@dataclass(frozen=True)
class CompiledContract:
    """A compiled contract: what deployment and calls need, plus provenance.

    ``source_sha256`` is the SHA-256 of the contract's own source text; ``warnings`` holds the
    compiler's warnings (for example the EIP-170 size limit) as text.
    """

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    source_sha256: str
    warnings: tuple[str, ...] = field(default=())


def contracts_dir() -> Path:
    """Return the directory that holds veritee's Vyper sources."""
    return Path(__file__).parent.parent / "contracts"


def _veritee_home() -> Path:
    return Path(os.environ.get("VERITEE_HOME") or Path.home() / ".veritee")


def _snekmate_root() -> Path | None:
    """The site-packages directory holding snekmate (a namespace package, so no ``__file__``)."""
    spec = importlib.util.find_spec("snekmate")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).parent


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _cache_key(source_path: Path, directory: Path) -> str:
    digest = hashlib.sha256()
    for part in (
        f"format={_CACHE_FORMAT}",
        f"vyper={vyper.__version__}",
        f"snekmate={_package_version('snekmate')}",
        f"contract={source_path.relative_to(directory).as_posix()}",
    ):
        digest.update(part.encode() + b"\0")
    # Hashing every source is simpler and safer than tracing imports: a few kB per build.
    sources = sorted(p for p in directory.rglob("*") if p.suffix in (".vy", ".vyi"))
    for path in sources:
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _read_cache(path: Path, name: str) -> CompiledContract | None:
    try:
        data = json.loads(path.read_text())
        return CompiledContract(
            name=name,
            abi=data["abi"],
            bytecode=bytes.fromhex(data["bytecode"]),
            source_sha256=data["source_sha256"],
            warnings=tuple(data.get("warnings", ())),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # A torn or hand-edited entry is not fatal: recompile and overwrite it.
        _log.warning("ignoring unreadable contract cache %s: %s", path, exc)
        return None


def _write_cache(path: Path, compiled: CompiledContract) -> None:
    payload = {
        "name": compiled.name,
        "vyper": vyper.__version__,
        "abi": compiled.abi,
        "bytecode": compiled.bytecode.hex(),
        "source_sha256": compiled.source_sha256,
        "warnings": list(compiled.warnings),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so parallel test workers never read a half-written file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(payload, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _run_vyper(name: str, source_path: Path, directory: Path) -> CompiledContract:
    search_paths = [directory]
    snekmate_root = _snekmate_root()
    if snekmate_root is not None:
        search_paths.insert(0, snekmate_root)  # the last entry wins; the contracts dir first
    bundle = FilesystemInputBundle(search_paths)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            file_input = bundle.load_file(source_path)
            output = vyper.compile_from_file_input(
                file_input, input_bundle=bundle, output_formats=["abi", "bytecode"]
            )
    except (VyperException, VyperInternalException, OSError) as exc:
        raise CompilationError(f"contract {name} failed to compile: {exc}") from exc
    notes = tuple(str(w.message) for w in caught)
    for note in notes:
        _log.warning("vyper warning in %s: %s", name, note)
    source = source_path.read_bytes()
    return CompiledContract(
        name=name,
        abi=list(output["abi"]),
        bytecode=bytes.fromhex(output["bytecode"].removeprefix("0x")),
        source_sha256=hashlib.sha256(source).hexdigest(),
        warnings=notes,
    )


def compile_contract(name: str, directory: Path | None = None) -> CompiledContract:
    """Compile ``<directory>/<name>.vy`` (default: :func:`contracts_dir`), using the caches.

    Imports resolve against the contracts directory (``from interfaces import IJobs``, or
    relative ``from .interfaces import IJobs``) and snekmate (``from snekmate.auth import
    ownable``). Raises :class:`CompilationError` naming the contract and vyper's message.
    """
    directory = (directory or contracts_dir()).resolve()
    source_path = directory / f"{name}.vy"
    if not source_path.is_file():
        raise CompilationError(f"contract {name} not found: no file {source_path}")
    key = _cache_key(source_path, directory)
    with _compile_lock:
        cached = _memory_cache.get(key)
        if cached is not None:
            return cached
        cache_file = _veritee_home() / "cache" / "contracts" / f"{key}.json"
        compiled = _read_cache(cache_file, name)
        if compiled is None:
            compiled = _run_vyper(name, source_path, directory)
            _write_cache(cache_file, compiled)
        _memory_cache[key] = compiled
        return compiled


def compile_all(names: Iterable[str], directory: Path | None = None) -> dict[str, CompiledContract]:
    """Compile several contracts; returns them keyed by name, in the order given."""
    return {name: compile_contract(name, directory) for name in names}
