"""Sealed state: round trip, atomic write, mode 0600, refusal under another key or context."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.unit.worker.support import delivery, result
from veritee.crypto.typed_data import address_of
from veritee.exceptions import ConfigError
from veritee.worker.enclave import EnclaveIdentity
from veritee.worker.results import ResultBook
from veritee.worker.state import STATE_FILE, SealedStateFile, WorkerState, state_context

KEY = bytes(range(32))
WORKERS = "0x" + "05" * 20
OPERATOR = address_of(bytes(range(1, 33)))


def _state() -> WorkerState:
    book = ResultBook()
    book.accept(delivery(1))
    book.start(1)
    book.finish(1, result(1))
    book.accept(delivery(2))
    return WorkerState(EnclaveIdentity.generate(), OPERATOR, list(book))


def _file(path: Path, key: bytes = KEY, measurement: bytes = b"\x11" * 32) -> SealedStateFile:
    return SealedStateFile(path / STATE_FILE, key, state_context(31337, WORKERS, measurement))


def test_round_trip(tmp_path: Path) -> None:
    state = _state()
    sealed = _file(tmp_path)
    assert sealed.load() is None and not sealed.exists()
    sealed.save(state)
    loaded = _file(tmp_path).load()
    assert loaded is not None
    assert loaded.identity.address == state.identity.address
    assert loaded.identity.x25519_public == state.identity.x25519_public
    assert loaded.operator == OPERATOR
    assert [r.to_json() for r in loaded.records] == [r.to_json() for r in state.records]
    assert stat.S_IMODE(os.stat(tmp_path / STATE_FILE).st_mode) == 0o600
    assert os.listdir(tmp_path) == [STATE_FILE]  # no temporary file left behind


def test_the_file_holds_no_key_in_the_clear(tmp_path: Path) -> None:
    state = _state()
    _file(tmp_path).save(state)
    raw = (tmp_path / STATE_FILE).read_bytes()
    assert state.identity.signing_key not in raw
    assert state.identity.signing_key.hex().encode() not in raw


@pytest.mark.parametrize(
    "other",
    [
        {"key": bytes(range(1, 33))},
        {"measurement": b"\x22" * 32},
    ],
)
def test_another_key_or_measurement_cannot_open_it(tmp_path: Path, other: dict[str, bytes]) -> None:
    _file(tmp_path).save(_state())
    with pytest.raises(ConfigError, match=r"cannot be opened.*Move it away"):
        _file(tmp_path, **other).load()


def test_a_damaged_file_is_refused(tmp_path: Path) -> None:
    _file(tmp_path).save(_state())
    path = tmp_path / STATE_FILE
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match="cannot be opened"):
        _file(tmp_path).load()


def test_identity_repr_hides_keys() -> None:
    identity = EnclaveIdentity.generate()
    assert identity.signing_key.hex() not in repr(identity)
    assert identity.address in repr(identity)


def test_an_older_snapshot_never_replaces_a_newer_one(tmp_path: Path) -> None:
    sealed = _file(tmp_path)
    newer, older = _state(), _state()
    sealed.write(newer.encode(), generation=2)
    sealed.write(older.encode(), generation=1)  # a late write from a cancelled caller
    loaded = sealed.load()
    assert loaded is not None and loaded.identity.address == newer.identity.address
