"""An append-only, hash-chained audit log of every key release and denial.

Each line is one JSON record carrying the SHA-256 of the previous line, so that removing or
editing a record breaks the chain that :func:`verify_audit_log` checks. Records hold ids,
addresses, decisions and reasons, never key material or plaintext.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from veritee.exceptions import AuditLogCorrupt

__all__ = ["AuditLog", "AuditLogCorrupt", "verify_audit_log"]

_GENESIS = "0" * 64


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()


class AuditLog:
    """Appends records to ``path`` (created if missing), each fsync'ed before returning.

    A caller that appends before it answers (the gatekeeper records a release before sending the
    share) therefore never answers for a record that a crash could lose. The file stays open
    (append-only) for the life of the log, and is closed when the log is.
    """

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._previous, self._sequence = _GENESIS, 0
        if path.exists():
            records = verify_audit_log(path)
            if records:
                last_line = path.read_text().rstrip("\n").rsplit("\n", 1)[-1]
                self._previous = _line_hash(last_line)
                self._sequence = int(records[-1]["seq"]) + 1
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        self._closer = weakref.finalize(self, os.close, self._fd)

    def close(self) -> None:
        """Close the file. Safe to call twice; appending afterwards raises OSError."""
        with self._lock:
            self._closer()
            self._fd = -1  # never write to a descriptor number the process may have reused

    def append(self, event: str, **fields: Any) -> dict[str, Any]:
        """Writes one record and returns it."""
        with self._lock:
            record = {
                "seq": self._sequence,
                "time": round(self._clock(), 3),
                "event": event,
                **fields,
                "prev": self._previous,
            }
            line = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
            data = (line + "\n").encode()
            if self._fd < 0:
                raise OSError(f"audit log {self.path} is closed")
            while data:  # a regular file takes it all at once, short of a full disk
                data = data[os.write(self._fd, data) :]
            os.fsync(self._fd)
            self._previous = _line_hash(line)
            self._sequence += 1
            return record


def verify_audit_log(path: Path) -> list[dict[str, Any]]:
    """Reads the log and checks its chain; raises :class:`AuditLogCorrupt` naming the line."""
    previous = _GENESIS
    records: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AuditLogCorrupt(f"audit log line {number} is not JSON") from exc
        if record.get("prev") != previous or record.get("seq") != number - 1:
            raise AuditLogCorrupt(f"audit log chain broken at line {number}")
        records.append(record)
        previous = _line_hash(line)
    return records
