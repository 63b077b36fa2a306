"""The sealed key share on disk: private, bound to its key, epoch and index, opaque to others."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.unit.crypto.support import dealt_key_shares
from veritee.crypto.at_rest import open_at_rest, seal_at_rest
from veritee.exceptions import ConfigError, DecryptionError
from veritee.gatekeeper.keystore import KeyShareStore

SIGNING = bytes(range(1, 33))
CONTRACT = "0x" + "02" * 20


def _store(directory: Path, key: bytes = SIGNING) -> KeyShareStore:
    return KeyShareStore(directory, key, 31337, CONTRACT)


def test_round_trip_with_private_file(tmp_path: Path) -> None:
    _, shares = dealt_key_shares(2, 3)
    store = _store(tmp_path / "data")
    path = store.save(shares[1], epoch=4)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
    assert shares[1].secret.to_bytes(32, "big") not in path.read_bytes()
    assert store.load(4, 2) == shares[1]
    assert store.load(5, 2) is None


def test_other_signing_key_epoch_or_index_does_not_open(tmp_path: Path) -> None:
    _, shares = dealt_key_shares(2, 3)
    _store(tmp_path).save(shares[0], epoch=1)
    with pytest.raises(ConfigError, match="does not open"):
        _store(tmp_path, key=bytes(32)).load(1, 1)
    with pytest.raises(ConfigError, match="does not open"):
        _store(tmp_path).load(1, 2)
    os.replace(tmp_path / "key-share-epoch-1.sealed", tmp_path / "key-share-epoch-2.sealed")
    with pytest.raises(ConfigError, match="does not open"):
        _store(tmp_path).load(2, 1)


def test_readable_file_is_refused(tmp_path: Path) -> None:
    _, shares = dealt_key_shares(2, 3)
    path = _store(tmp_path).save(shares[0], epoch=1)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        _store(tmp_path).load(1, 1)


def test_at_rest_recipe_is_opaque_on_any_change() -> None:
    sealed = seal_at_rest(SIGNING, "purpose", b"secret", b"aad")
    assert open_at_rest(SIGNING, "purpose", sealed, b"aad") == b"secret"
    flipped = bytearray(sealed)
    flipped[-1] ^= 1
    for root, purpose, blob, aad in [
        (SIGNING, "other", sealed, b"aad"),
        (SIGNING, "purpose", sealed, b"other"),
        (bytes(32), "purpose", sealed, b"aad"),
        (SIGNING, "purpose", bytes(flipped), b"aad"),
        (SIGNING, "purpose", sealed[:10], b"aad"),
        (SIGNING, "purpose", b"\x02" + sealed[1:], b"aad"),
    ]:
        with pytest.raises(DecryptionError, match=r"^sealed state could not be opened$"):
            open_at_rest(root, purpose, blob, aad)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        seal_at_rest(b"short", "purpose", b"x", b"")
