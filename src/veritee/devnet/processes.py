"""Detached child processes for ``veritee devnet``: start, announce, health, stop by PID.

Each part of a development network runs as its own process in its own session (so it outlives
the ``veritee devnet up`` command that started it), logs to files under the network's
directory, and announces itself with one JSON line on stdout (``{"event": "listening", "url":
…}``). Stopping checks that the PID still runs the command we started (PIDs are reused) before
sending SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veritee.exceptions import NodeError

__all__ = ["Part", "is_running", "spawn", "stop", "wait_for_announcement", "wait_for_pattern"]


@dataclass(frozen=True)
class Part:
    """One running part of the development network."""

    name: str
    kind: str
    pid: int
    url: str
    log: str
    marker: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "pid": self.pid,
            "url": self.url,
            "log": self.log,
            "marker": self.marker,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Part:
        return cls(
            str(obj["name"]),
            str(obj["kind"]),
            int(obj["pid"]),
            str(obj["url"]),
            str(obj["log"]),
            str(obj["marker"]),
        )


def spawn(argv: Sequence[str], log_dir: Path, name: str) -> subprocess.Popen[bytes]:
    """Start ``argv`` detached, stdout to ``<name>.out`` and stderr to ``<name>.log``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with (log_dir / f"{name}.out").open("wb") as out, (log_dir / f"{name}.log").open("ab") as err:
        return subprocess.Popen(  # noqa: S603 - argv built from fixed parts, no shell
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
            env=env,
        )


def _tail(path: Path, size: int = 3000) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - size))
            return handle.read().decode(errors="replace")
    except OSError:
        return "(no log)"


def wait_for_announcement(
    process: subprocess.Popen[bytes], log_dir: Path, name: str, timeout: float = 120.0
) -> dict[str, Any]:
    """The first JSON line the process printed; NodeError with its log if it died or hung."""
    out = log_dir / f"{name}.out"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in out.read_text(errors="replace").splitlines(keepends=True):
            if line.endswith("\n") and line.startswith("{"):
                document = json.loads(line)
                if isinstance(document, dict):
                    return document
        if process.poll() is not None:
            raise NodeError(
                f"{name} exited with code {process.returncode} before it was ready; "
                f"its log ends with:\n{_tail(log_dir / f'{name}.log')}"
            )
        time.sleep(0.05)
    raise NodeError(f"{name} was not ready within {timeout:.0f} s; log:\n{_tail(out)}")


def wait_for_pattern(
    process: subprocess.Popen[bytes], path: Path, pattern: str, timeout: float = 60.0
) -> re.Match[str]:
    """Wait until ``pattern`` appears in the file ``path`` written by ``process``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, _tail(path, 8000))
        if match:
            return match
        if process.poll() is not None:
            raise NodeError(f"{path.name} process exited: {_tail(path)}")
        time.sleep(0.02)
    raise NodeError(f"no {pattern!r} in {path} within {timeout:.0f} s")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def is_running(part: Part) -> bool:
    """Whether ``part``'s PID is alive and still runs the command that was started."""
    cmdline = _cmdline(part.pid)
    if not cmdline or part.marker not in cmdline:
        return False
    try:
        status = Path(f"/proc/{part.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return status != "Z"


def stop(part: Part, grace: float = 15.0) -> bool:
    """SIGTERM ``part`` (only if it is still ours), SIGKILL after ``grace``; True if it ran."""
    if not is_running(part):
        return False
    os.kill(part.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not is_running(part):
            return True
        time.sleep(0.05)
    if is_running(part):
        os.kill(part.pid, signal.SIGKILL)
    return True
