"""The gatekeeper's key share on disk: sealed, one file per key epoch, readable by no one else.

The share is sealed with AES-256-GCM under a key HKDF-derived from the gatekeeper's signing key
(:mod:`veritee.crypto.at_rest`), bound to the chain, the Gatekeepers contract, the epoch and the
gatekeeper's index, and written atomically with mode 0600 in a 0700 directory. A copied file is
useless without the signing key, and a file moved to another epoch or index does not open.

In production the gatekeeper runs in a TEE, which seals the signing key itself with a key derived
from its measurement (so the key share is bound to the gatekeeper's code as well); this module is
the layer above that.
"""

from __future__ import annotations

import os
from pathlib import Path

from veritee.crypto._common import address_bytes, frame, uint_bytes
from veritee.crypto.at_rest import open_at_rest, seal_at_rest
from veritee.crypto.threshold import KeyShare
from veritee.exceptions import ConfigError, DecryptionError, ThresholdError

__all__ = ["KeyShareStore"]

_PURPOSE = "gatekeeper-key-share"


class KeyShareStore:
    """Saves and loads this gatekeeper's sealed key share, one file per epoch."""

    def __init__(
        self, directory: Path, signing_key: bytes, chain_id: int, gatekeepers_contract: str
    ) -> None:
        self.directory = directory
        self._root = signing_key
        self._chain_id = chain_id
        self._contract = gatekeepers_contract

    def path(self, epoch: int) -> Path:
        """Where the share of ``epoch`` lives."""
        return self.directory / f"key-share-epoch-{epoch}.sealed"

    def _aad(self, epoch: int, index: int) -> bytes:
        return frame(
            uint_bytes(self._chain_id),
            address_bytes(self._contract),
            uint_bytes(epoch),
            uint_bytes(index, 2),
        )

    def save(self, share: KeyShare, epoch: int) -> Path:
        """Seal and write ``share`` for ``epoch`` atomically (mode 0600); returns the path."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        sealed = seal_at_rest(self._root, _PURPOSE, share.to_bytes(), self._aad(epoch, share.index))
        target = self.path(epoch)
        staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(sealed)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, target)
        return target

    def load(self, epoch: int, index: int) -> KeyShare | None:
        """The share of ``epoch``, or None if there is none; raises ConfigError if unusable."""
        path = self.path(epoch)
        try:
            sealed = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"cannot read the sealed key share {path}: {exc}") from exc
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"sealed key share {path} is readable by others; chmod 600 it")
        try:
            share = KeyShare.from_bytes(
                open_at_rest(self._root, _PURPOSE, sealed, self._aad(epoch, index))
            )
        except (DecryptionError, ThresholdError) as exc:
            raise ConfigError(
                f"sealed key share {path} does not open with this gatekeeper's signing key "
                "(another key, index, chain or epoch, or a damaged file)"
            ) from exc
        return share
