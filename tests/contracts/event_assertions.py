"""Decoding the events of a contract's last call into plain data that tests can compare."""

from __future__ import annotations

from typing import Any


def events(contract: Any) -> list[tuple[str, dict[str, Any]]]:
    """The events of ``contract``'s last call, in order, as ``(name, fields)``.

    Read it straight after the call: any later call on the same contract, views included,
    replaces the computation boa reads the logs from. Every event must come from ``contract``.
    """
    decoded = []
    for log in contract.get_logs():
        fields = log._asdict()
        assert fields.pop("address") == contract.address
        decoded.append((type(log).__name__, fields))
    return decoded
