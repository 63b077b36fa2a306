"""Printing for every command: Rich for people, one JSON document with ``--json``."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

__all__ = ["console", "emit_json", "error_console"]

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)


def emit_json(document: Any) -> None:
    """Prints ``document`` as one line of JSON (bytes as 0x-hex)."""
    print(json.dumps(document, default=_default, sort_keys=True))


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")
