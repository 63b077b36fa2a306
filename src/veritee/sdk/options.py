"""SDK client settings: constructor argument, then ``VERITEE_*`` environment, then default."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from veritee.exceptions import ConfigError

__all__ = ["ClientOptions"]


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


def _default_poll_interval() -> float:
    return _env_float("VERITEE_POLL_INTERVAL", 2.0)


def _default_status_timeout() -> float:
    return _env_float("VERITEE_STATUS_TIMEOUT", 5.0)


@dataclass(frozen=True)
class ClientOptions:
    """How the SDK client waits, times and asks workers for their load.

    ``clock`` (seconds) and ``sleep`` are injectable so that tests control time;
    ``poll_interval`` is the pause between two status reads while waiting
    (``$VERITEE_POLL_INTERVAL``, default 2 s); ``status_timeout`` bounds each worker's
    ``/v1/status`` request (``$VERITEE_STATUS_TIMEOUT``, default 5 s); with ``load_lookup`` off
    workers are ranked by price and address only, without asking them anything.
    """

    clock: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    poll_interval: float = field(default_factory=_default_poll_interval)
    status_timeout: float = field(default_factory=_default_status_timeout)
    load_lookup: bool = True

    def __post_init__(self) -> None:
        if self.poll_interval <= 0:
            raise ConfigError(f"poll_interval must be positive, got {self.poll_interval}")
        if self.status_timeout <= 0:
            raise ConfigError(f"status_timeout must be positive, got {self.status_timeout}")
