"""The worker's sealed state: its enclave identity and result book, kept across restarts.

The state file holds the enclave keys, so it is sealed (AES-256-GCM, :mod:`veritee.crypto.at_rest`)
under the key named ``seal:<measurement>`` that only code with this measurement can obtain from
the gatekeepers, with the chain, the Workers contract and the measurement as associated data:
the file is worthless to the host, and to any other code, chain or deployment. Writes are atomic
(a temporary file, fsync, rename), so a crash leaves the old state or the new one, never half.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from veritee.crypto.at_rest import open_at_rest, seal_at_rest
from veritee.exceptions import ConfigError, DecryptionError
from veritee.worker.enclave import EnclaveIdentity
from veritee.worker.results import JobRecord

__all__ = ["STATE_FILE", "SealedStateFile", "WorkerState", "state_context"]

#: The state file's name in the data directory.
STATE_FILE = "worker-state.sealed"
_PURPOSE = "veritee.worker.state"
_VERSION = 1


def state_context(chain_id: int, workers: str, measurement: bytes) -> bytes:
    """The associated data the state is sealed under: chain, Workers contract, measurement."""
    return b"|".join(
        (str(chain_id).encode(), to_checksum_address(workers).encode(), measurement.hex().encode())
    )


@dataclass
class WorkerState:
    """What survives a restart: the identity, its operator, and every unsettled job."""

    identity: EnclaveIdentity
    operator: str
    records: Sequence[JobRecord]

    def encode(self) -> bytes:
        document: dict[str, Any] = {
            "v": _VERSION,
            "identity": self.identity.to_json(),
            "operator": self.operator,
            "jobs": [record.to_json() for record in self.records],
        }
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    @classmethod
    def decode(cls, data: bytes) -> WorkerState:
        document = json.loads(data)
        if not isinstance(document, dict) or document.get("v") != _VERSION:
            raise ValueError("unknown worker state version")
        return cls(
            identity=EnclaveIdentity.from_json(document["identity"]),
            operator=to_checksum_address(document["operator"]),
            records=[JobRecord.from_json(item) for item in document["jobs"]],
        )


class SealedStateFile:
    """The state file ``path``, sealed under ``key`` (32 bytes) bound to ``context``."""

    def __init__(self, path: Path, key: bytes, context: bytes) -> None:
        self.path = Path(path)
        self._key = key
        self._context = context
        self._lock = threading.Lock()
        self._generation = -1

    def exists(self) -> bool:
        return self.path.is_file()

    def load(self) -> WorkerState | None:
        """The saved state, or None when there is none.

        Raises :class:`ConfigError` when a state file is there but cannot be opened (sealed by
        other code, for another chain or deployment, or damaged): the identity in it is lost to
        this code, and starting a new one silently would abandon its jobs.
        """
        try:
            sealed = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"cannot read the worker state {self.path}: {exc}") from exc
        try:
            return WorkerState.decode(open_at_rest(self._key, _PURPOSE, sealed, self._context))
        except DecryptionError:
            raise ConfigError(
                f"the worker state {self.path} cannot be opened: it was sealed by code with "
                "another measurement, for another chain or deployment, or it is damaged. Move it "
                "away to start a new worker identity (its unsettled jobs will expire)."
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"the worker state {self.path} is malformed: {exc}") from exc

    def save(self, state: WorkerState) -> None:
        """Seal and write ``state`` atomically (file mode 0600)."""
        self.write(state.encode())

    def write(self, encoded: bytes, generation: int | None = None) -> None:
        """Seal and write an already encoded :class:`WorkerState` atomically (mode 0600).

        With ``generation`` (increasing with every snapshot), a write older than the last one
        written is skipped: a write abandoned by a cancelled caller can finish late on its
        thread without replacing newer state.
        """
        with self._lock:
            if generation is not None:
                if generation <= self._generation:
                    return
                self._generation = generation
            self._write(encoded)

    def _write(self, encoded: bytes) -> None:
        sealed = seal_at_rest(self._key, _PURPOSE, encoded, self._context)
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(sealed)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not supported on this platform or file system
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
