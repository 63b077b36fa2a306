"""What every service config shares: the settings lookup and the parsers of its values.

A :class:`Settings` finds one setting of one service: the constructor's argument, then the
environment variable ``<PREFIX><NAME>`` (``VERITEE_WORKER_PORT``), then a default. The parsers
turn what it found into a typed value. Every :class:`~veritee.exceptions.ConfigError` raised here
names the service and the setting (``worker setting port must be an integer, got 'http'``), so
the message says what to fix.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from veritee.chain.deployment import Deployment
from veritee.chain.rpc import http_web3
from veritee.exceptions import ConfigError, VeriteeError

__all__ = [
    "Settings",
    "config_from_file",
    "connect_chain",
    "load_deployment",
    "parse_account",
    "parse_bool",
    "parse_float",
    "parse_hex",
    "parse_int",
    "read_settings_file",
    "veritee_home",
]

T = TypeVar("T")

_MISSING = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Settings:
    """Looks up the settings of ``service``: argument, then ``env_prefix + NAME``, then default.

    ``arguments`` are the constructor's (its ``locals()``); an argument of ``None`` counts as not
    passed, and so does an empty environment variable.
    """

    def __init__(self, service: str, env_prefix: str, arguments: Mapping[str, Any]) -> None:
        self.service = service
        self.env_prefix = env_prefix
        self._arguments = arguments

    def __call__(self, name: str, *, default: Any = _MISSING, required: bool = False) -> Any:
        """The value of setting ``name``; without a default (or ``required``) it must be set."""
        value = self._arguments.get(name)
        if value is not None:
            return value
        variable = self.env_prefix + name.upper()
        from_env = os.environ.get(variable)
        if from_env:
            return from_env
        if required or default is _MISSING:
            raise ConfigError(
                f"{self.service} setting {name} is missing: pass {name}= or set {variable}"
            )
        return default

    def rpc_url(self, w3: Web3 | None) -> str | None:
        """The ``rpc_url`` setting, which only an in-process chain ``w3`` makes optional."""
        url: str | None = self("rpc_url", default=None)
        if w3 is None and not url:
            raise ConfigError(
                f"{self.service} setting rpc_url is missing: pass rpc_url= (or w3=) or set "
                f"{self.env_prefix}RPC_URL"
            )
        return url


def veritee_home() -> Path:
    """``$VERITEE_HOME``, by default ``~/.veritee``: where the services keep their state."""
    return Path(os.environ.get("VERITEE_HOME") or Path.home() / ".veritee")


def parse_int(
    service: str, name: str, value: Any, minimum: int = 0, *, allow_bool: bool = False
) -> int:
    """``value`` as an integer of at least ``minimum`` (``True`` is refused unless allowed)."""
    if isinstance(value, bool) and not allow_bool:
        raise ConfigError(f"{service} setting {name} must be an integer, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{service} setting {name} must be an integer, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{service} setting {name} must be at least {minimum}, got {number}")
    return number


def parse_float(
    service: str, name: str, value: Any, minimum: float = 0.0, *, allow_nan: bool = False
) -> float:
    """``value`` as a number of at least ``minimum`` (NaN is refused unless allowed)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{service} setting {name} must be a number, got {value!r}") from None
    if not number >= minimum and not (allow_nan and math.isnan(number)):
        raise ConfigError(f"{service} setting {name} must be at least {minimum}, got {number}")
    return number


def parse_bool(service: str, name: str, value: Any) -> bool:
    """``value`` as a flag: a bool, or ``1/true/yes/on`` and ``0/false/no/off`` in any case."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{service} setting {name} must be true or false, got {value!r}")


def parse_hex(service: str, name: str, value: str | bytes, size: int) -> bytes:
    """``size`` raw bytes, given as such or as hex (``0x`` optional)."""
    if isinstance(value, str):
        try:
            value = bytes.fromhex(value.strip().removeprefix("0x"))
        except ValueError:
            raise ConfigError(f"{service} setting {name} is not hex") from None
    if len(value) != size:
        raise ConfigError(f"{service} setting {name} must be {size} bytes, got {len(value)}")
    return value


def parse_account(service: str, name: str, value: str | bytes) -> LocalAccount:
    """The account of a secp256k1 private key, 32 bytes raw or hex."""
    key = parse_hex(service, name, value, 32)
    try:
        account: LocalAccount = Account.from_key(key)
    except (ValueError, TypeError):
        raise ConfigError(f"{service} setting {name} is not a valid secp256k1 key") from None
    return account


def load_deployment(service: str, value: Deployment | str | Path) -> Deployment:
    """The ``deployment`` setting: a :class:`Deployment`, or the path of its JSON record."""
    if isinstance(value, Deployment):
        return value
    try:
        return Deployment.load(Path(value).expanduser())
    except VeriteeError as exc:
        raise ConfigError(f"{service} setting deployment: {exc}") from exc


def connect_chain(w3: Web3 | None, rpc_url: str | None) -> Web3:
    """The configured chain: the in-process ``w3``, or an HTTP provider on ``rpc_url``."""
    if w3 is not None:
        return w3
    assert rpc_url is not None  # Settings.rpc_url requires one of the two
    return http_web3(rpc_url)


def read_settings_file(path: str | Path, service: str) -> dict[str, Any]:
    """The settings in a JSON file, or a TOML file when ``path`` ends in ``.toml``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        document = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {service} config {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"{service} config {path} must hold one object of settings")
    return document


def config_from_file(
    factory: Callable[..., T], path: str | Path, service: str, overrides: Mapping[str, Any]
) -> T:
    """``factory(**settings)`` with the settings of the file at ``path``, then ``overrides``.

    An argument ``factory`` does not take (a misspelt key) is a :class:`ConfigError` too.
    """
    document = read_settings_file(path, service)
    try:
        return factory(**{**document, **overrides})
    except TypeError as exc:
        raise ConfigError(f"{service} config {Path(path)}: {exc}") from exc
