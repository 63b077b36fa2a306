"""`deploy_system` with each contract compiled once per test process.

`boa.load` compiles its file on every call (seconds for the seven contracts, even from boa's disk
cache), so directories that deploy their own system would each pay that again. Here the
compiled deployers are kept and only the deployment is repeated; the wiring stays the one in
`tests.contracts.conftest.deploy_system`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import boa

from tests.contracts.conftest import System, deploy_system

_deployers: dict[Path, Any] = {}


def _load(filename: str | Path, *args: Any) -> Any:
    path = Path(filename)
    if path not in _deployers:
        _deployers[path] = boa.load_partial(str(path))
    return _deployers[path].deploy(*args)


def deploy_system_cached() -> System:
    """A freshly deployed and wired system, from contracts compiled at most once."""
    with mock.patch.object(boa, "load", _load):
        return deploy_system()
