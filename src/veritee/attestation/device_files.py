"""The few file operations the TDX and SGX backends need, behind an interface tests can replace.

configfs-tsm and Gramine's ``/dev/attestation`` are pseudo-filesystems whose files act when
written or read. The backends talk to them through :class:`DeviceFiles`; :class:`OsDeviceFiles`
is the real thing, and tests pass a fake that emulates the kernel or Gramine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

__all__ = ["DeviceFiles", "OsDeviceFiles"]


class DeviceFiles(Protocol):
    """File operations on a TEE pseudo-filesystem; failures raise ``OSError``."""

    def is_dir(self, path: Path) -> bool:
        """Whether ``path`` is an existing directory."""
        ...

    def exists(self, path: Path) -> bool:
        """Whether ``path`` exists."""
        ...

    def mkdir(self, path: Path) -> None:
        """Creates the directory ``path`` (its parent exists)."""
        ...

    def rmdir(self, path: Path) -> None:
        """Removes the directory ``path``."""
        ...

    def read(self, path: Path) -> bytes:
        """The whole content of the file ``path``."""
        ...

    def write(self, path: Path, data: bytes) -> None:
        """Writes ``data`` to the file ``path`` in one ``write`` call."""
        ...


class OsDeviceFiles:
    """:class:`DeviceFiles` on the real filesystem."""

    def is_dir(self, path: Path) -> bool:
        """Whether ``path`` is an existing directory."""
        return path.is_dir()

    def exists(self, path: Path) -> bool:
        """Whether ``path`` exists."""
        return path.exists()

    def mkdir(self, path: Path) -> None:
        """Creates the directory ``path``."""
        os.mkdir(path)

    def rmdir(self, path: Path) -> None:
        """Removes the directory ``path`` (configfs removes its attribute files with it)."""
        os.rmdir(path)

    def read(self, path: Path) -> bytes:
        """The whole content of the file ``path``."""
        with open(path, "rb", buffering=0) as handle:
            chunks = []
            while chunk := handle.read(65536):
                chunks.append(chunk)
            return b"".join(chunks)

    def write(self, path: Path, data: bytes) -> None:
        """Writes ``data`` to ``path`` in one unbuffered ``write`` call, as pseudo-files expect."""
        with open(path, "wb", buffering=0) as handle:
            written = handle.write(data)
        if written != len(data):
            raise OSError(f"short write to {path}: {written} of {len(data)} bytes")
