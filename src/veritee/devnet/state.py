"""The record of a running development network: ``<directory>/devnet.json``.

``veritee devnet up`` writes it once every part is ready; ``status`` and ``down`` read it, and
the other commands use it to find the chain, the contracts, the blob store and the development
accounts when no ``--rpc``/``--deployment`` is given.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veritee.devnet.processes import Part
from veritee.exceptions import ConfigError

__all__ = ["ROLES", "DevnetState", "default_directory"]

#: Development account index of each role (keys from ``veritee.chain.backend.dev_accounts``).
ROLES: dict[str, int] = {
    "admin": 0,
    "operator": 1,
    "researcher": 2,
    "model-builder": 3,
    "hospital": 4,
    "relayer": 5,
}
_VERSION = 1


def default_directory() -> Path:
    """``$VERITEE_HOME/devnet`` (``~/.veritee/devnet``)."""
    return Path(os.environ.get("VERITEE_HOME") or Path.home() / ".veritee") / "devnet"


@dataclass
class DevnetState:
    """Where each part of a development network is, and how to reach the chain."""

    directory: Path
    rpc_url: str
    chain_id: int
    blob_url: str
    platform_key: str
    gatekeepers: list[dict[str, Any]] = field(default_factory=list)
    workers: list[dict[str, Any]] = field(default_factory=list)
    model_id: int = 0
    parts: list[Part] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.directory / "devnet.json"

    @property
    def deployment_path(self) -> Path:
        return self.directory / "deployment.json"

    def save(self) -> None:
        document = {
            "version": _VERSION,
            "rpc_url": self.rpc_url,
            "chain_id": self.chain_id,
            "blob_url": self.blob_url,
            "platform_key": self.platform_key,
            "deployment": str(self.deployment_path),
            "gatekeepers": self.gatekeepers,
            "workers": self.workers,
            "model_id": self.model_id,
            "roles": ROLES,
            "parts": [part.to_json() for part in self.parts],
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=2))
        temporary.replace(self.path)

    @classmethod
    def load(cls, directory: Path) -> DevnetState:
        path = directory / "devnet.json"
        try:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(
                f"no development network recorded in {directory}: run `veritee devnet up`"
            ) from None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from exc
        if document.get("version") != _VERSION:
            raise ConfigError(f"{path} has an unknown version {document.get('version')!r}")
        return cls(
            directory=directory,
            rpc_url=document["rpc_url"],
            chain_id=int(document["chain_id"]),
            blob_url=document["blob_url"],
            platform_key=document["platform_key"],
            gatekeepers=list(document["gatekeepers"]),
            workers=list(document["workers"]),
            model_id=int(document.get("model_id", 0)),
            parts=[Part.from_json(p) for p in document["parts"]],
        )
