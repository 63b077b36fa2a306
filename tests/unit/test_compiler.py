"""veritee.chain.compiler: snekmate and interface imports, the two caches, compile errors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vyper

from veritee.chain import compiler
from veritee.chain.compiler import compile_all, compile_contract, contracts_dir
from veritee.exceptions import CompilationError

OWNED = """\
# pragma version ~=0.4.3
from snekmate.auth import ownable
from interfaces import ICounter

initializes: ownable
implements: ICounter

exports: ownable.owner

count: public(uint256)


@deploy
def __init__():
    ownable.__init__()


@external
def bump(by: uint256):
    ownable._check_owner()
    assert by > 0, "Owned: by must be positive"
    self.count += by
"""

RELATIVE = """\
# pragma version ~=0.4.3
from .interfaces import ICounter

implements: ICounter

count: public(uint256)


@external
def bump(by: uint256):
    self.count += by
"""

ICOUNTER = """\
@external
def bump(by: uint256):
    ...
"""


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A throwaway contracts directory, an empty VERITEE_HOME and an empty memory cache."""
    monkeypatch.setenv("VERITEE_HOME", str(tmp_path / "home"))
    directory = tmp_path / "contracts"
    (directory / "interfaces").mkdir(parents=True)
    (directory / "Owned.vy").write_text(OWNED)
    (directory / "Relative.vy").write_text(RELATIVE)
    (directory / "interfaces" / "ICounter.vyi").write_text(ICOUNTER)
    compiler._memory_cache.clear()
    yield directory
    compiler._memory_cache.clear()


@pytest.fixture
def vyper_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every call into vyper (while still compiling)."""
    calls: list[str] = []
    real = vyper.compile_from_file_input

    def spy(file_input: Any, **kwargs: Any) -> Any:
        calls.append(str(file_input.resolved_path))
        return real(file_input, **kwargs)

    monkeypatch.setattr(vyper, "compile_from_file_input", spy)
    return calls


def _cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "home" / "cache" / "contracts").glob("*.json"))


def test_snekmate_and_interface_imports_compile(sources: Path) -> None:
    owned = compile_contract("Owned", sources)

    names = {item.get("name") for item in owned.abi}
    assert {"owner", "bump", "count"} <= names
    assert owned.name == "Owned"
    assert len(owned.bytecode) > 100
    assert owned.source_sha256 == hashlib.sha256(OWNED.encode()).hexdigest()


def test_relative_interface_import_compiles(sources: Path) -> None:
    relative = compile_contract("Relative", sources)

    assert any(item.get("name") == "bump" for item in relative.abi)


def test_second_compile_hits_disk_cache_without_vyper(
    sources: Path, tmp_path: Path, vyper_calls: list[str]
) -> None:
    first = compile_contract("Owned", sources)
    compiler._memory_cache.clear()

    second = compile_contract("Owned", sources)

    assert len(vyper_calls) == 1
    assert second == first
    assert len(_cache_files(tmp_path)) == 1


def test_second_compile_hits_memory_cache(
    sources: Path, tmp_path: Path, vyper_calls: list[str]
) -> None:
    first = compile_contract("Owned", sources)
    for path in _cache_files(tmp_path):
        path.unlink()

    assert compile_contract("Owned", sources) is first
    assert len(vyper_calls) == 1


def test_editing_an_interface_invalidates_the_cache(sources: Path, vyper_calls: list[str]) -> None:
    compile_contract("Relative", sources)
    interface = sources / "interfaces" / "ICounter.vyi"
    interface.write_text(ICOUNTER + "\n# a comment changes the hash\n")

    compile_contract("Relative", sources)

    assert len(vyper_calls) == 2


def test_corrupt_cache_entry_is_recompiled(
    sources: Path, tmp_path: Path, vyper_calls: list[str]
) -> None:
    first = compile_contract("Owned", sources)
    compiler._memory_cache.clear()
    (entry,) = _cache_files(tmp_path)
    entry.write_text("{not json")

    again = compile_contract("Owned", sources)

    assert again == first
    assert len(vyper_calls) == 2
    assert json.loads(entry.read_text())["bytecode"] == first.bytecode.hex()


def test_compile_error_names_contract_and_vyper_message(sources: Path) -> None:
    (sources / "Broken.vy").write_text(
        "# pragma version ~=0.4.3\n@external\ndef f() -> uint256:\n    return missing\n"
    )

    with pytest.raises(CompilationError, match="contract Broken failed to compile") as info:
        compile_contract("Broken", sources)

    assert "missing" in str(info.value)


def test_missing_snekmate_module_is_a_compilation_error(sources: Path) -> None:
    (sources / "Lost.vy").write_text("from snekmate.auth import nonexistent\n")

    with pytest.raises(CompilationError, match="Lost"):
        compile_contract("Lost", sources)


def test_missing_contract_file(sources: Path) -> None:
    with pytest.raises(CompilationError, match="contract Nope not found"):
        compile_contract("Nope", sources)


def test_compile_all_keeps_order(sources: Path) -> None:
    built = compile_all(["Relative", "Owned"], sources)

    assert list(built) == ["Relative", "Owned"]
    assert built["Owned"].name == "Owned"


def test_contracts_dir_is_the_package_directory() -> None:
    directory = contracts_dir()

    assert directory.name == "contracts"
    assert directory.parent.name == "veritee"
    assert (directory / "interfaces").is_dir()
