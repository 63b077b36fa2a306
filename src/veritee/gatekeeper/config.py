"""One configuration object for a gatekeeper: argument > ``VERITEE_GATEKEEPER_*`` > default.

Every setting can be passed to :class:`GatekeeperConfig` (or written in a JSON/TOML file that
:meth:`GatekeeperConfig.from_file` reads as constructor arguments); a setting not passed is read
from the environment variable ``VERITEE_GATEKEEPER_<NAME>`` (``VERITEE_GATEKEEPER_SIGNING_KEY``,
…); otherwise it takes its default. A required setting found nowhere raises
:class:`~veritee.exceptions.ConfigError` naming the argument and the variable.

Keys are hex strings (``0x`` optional) in files and variables. The in-process ``w3`` (tests, the
demo) can only be passed as an argument; otherwise ``rpc_url`` names the chain.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from web3 import Web3

from veritee.attestation.collateral import CollateralSource, FileCollateral, PccsCollateral
from veritee.attestation.policy import QuotePolicy, tcb_status_from_intel
from veritee.attestation.simulated import load_platform_public_key, platform_key_bytes
from veritee.chain.deployment import Deployment
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.typed_data import address_of
from veritee.exceptions import ConfigError
from veritee.settings import (
    Settings,
    config_from_file,
    connect_chain,
    load_deployment,
    parse_hex,
    parse_int,
    veritee_home,
)

__all__ = ["ENV_PREFIX", "GatekeeperConfig"]

ENV_PREFIX = "VERITEE_GATEKEEPER_"
_SERVICE = "gatekeeper"
_hex = partial(parse_hex, _SERVICE)
# As before the shared parsers: a gatekeeper reads True/False as 1/0 (the others refuse them).
_int = partial(parse_int, _SERVICE, allow_bool=True)


def _items(value: str | Iterable[Any]) -> list[Any]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return list(value)


def _platform_key(entry: str | bytes) -> bytes:
    """A pinned simulated-platform key: raw bytes, hex, or the path of a PEM file."""
    if isinstance(entry, str):
        path = Path(entry).expanduser()
        if path.is_file():
            entry = path.read_bytes()
        else:
            try:
                entry = bytes.fromhex(entry.removeprefix("0x"))
            except ValueError:
                raise ConfigError(
                    f"simulated platform key {entry!r}: not hex, not a file"
                ) from None
    return platform_key_bytes(load_platform_public_key(entry))


class GatekeeperConfig:
    """Everything one gatekeeper needs to run; see the module docstring for precedence.

    Required: ``index`` (its 1-based position in the on-chain gatekeeper set), ``signing_key``
    (secp256k1, 32 bytes: its on-chain identity), ``encryption_key`` (X25519, 32 bytes: receives
    its DKG shares), ``deployment`` (a :class:`Deployment` or the path of its JSON record), and a
    chain: ``w3`` or ``rpc_url``. Secrets never appear in ``repr``.

    Chain reads: decisions read the chain at ``latest - confirmations`` (default 2), and the
    head is re-read at most every ``head_max_age`` seconds (default 0.5; 0 reads it for every
    request, as the development set-ups do so that a transaction counts at once).
    """

    #: Default seconds between two reads of the chain head (see ``head_max_age``).
    HEAD_MAX_AGE = 0.5

    def __init__(
        self,
        *,
        index: int | str | None = None,
        signing_key: bytes | str | None = None,
        encryption_key: bytes | str | None = None,
        deployment: Deployment | str | Path | None = None,
        rpc_url: str | None = None,
        w3: Web3 | None = None,
        host: str | None = None,
        port: int | str | None = None,
        confirmations: int | str | None = None,
        head_max_age: float | str | None = None,
        data_dir: str | Path | None = None,
        rate_limit: float | str | None = None,
        rate_burst: int | str | None = None,
        max_clock_skew: int | str | None = None,
        certificate_lifetime: int | str | None = None,
        nonce_max_age_blocks: int | str | None = None,
        max_body_bytes: int | str | None = None,
        simulated_platform_keys: Iterable[bytes | str] | str | None = None,
        collateral: CollateralSource | None = None,
        pccs_url: str | None = None,
        collateral_file: str | Path | None = None,
        quote_policy: QuotePolicy | None = None,
        accepted_tcb: Iterable[str] | str | None = None,
        grace_period: int | str | None = None,
    ) -> None:
        get = Settings(_SERVICE, ENV_PREFIX, locals())
        self.index = _int("index", get("index", required=True), minimum=1)
        self._signing_key = _hex("signing_key", get("signing_key", required=True), 32)
        self.address = address_of(self._signing_key)
        self.encryption_key = X25519KeyPair.from_private_bytes(
            _hex("encryption_key", get("encryption_key", required=True), 32)
        )
        self.deployment = load_deployment(_SERVICE, get("deployment", required=True))
        self.w3 = w3
        self.rpc_url = get.rpc_url(w3)
        self.host: str = get("host", default="127.0.0.1")
        self.port = _int("port", get("port", default=7300))
        self.confirmations = _int("confirmations", get("confirmations", default=2))
        self.head_max_age = float(get("head_max_age", default=self.HEAD_MAX_AGE))
        if not 0 <= self.head_max_age <= 60:
            raise ConfigError("gatekeeper setting head_max_age must be 0 to 60 seconds")
        self.data_dir = Path(get("data_dir", default=veritee_home() / f"gatekeeper-{self.index}"))
        self.rate_limit = float(get("rate_limit", default=20.0))
        self.rate_burst = _int("rate_burst", get("rate_burst", default=40), minimum=1)
        self.max_clock_skew = _int("max_clock_skew", get("max_clock_skew", default=60), 1)
        self.certificate_lifetime = _int(
            "certificate_lifetime", get("certificate_lifetime", default=86_400), 1
        )
        self.nonce_max_age_blocks = _int(
            "nonce_max_age_blocks", get("nonce_max_age_blocks", default=50), 1
        )
        self.max_body_bytes = _int("max_body_bytes", get("max_body_bytes", default=1 << 20), 1024)
        self.simulated_platform_keys = tuple(
            _platform_key(key) for key in _items(get("simulated_platform_keys", default=()))
        )
        self.collateral = collateral or self._collateral(
            get("pccs_url", default=None), get("collateral_file", default=None)
        )
        self.quote_policy = quote_policy or QuotePolicy(
            accepted_tcb=frozenset(
                tcb_status_from_intel(name)
                for name in _items(get("accepted_tcb", default="UpToDate"))
            ),
            grace_period_s=_int("grace_period", get("grace_period", default=0)),
        )
        if self.rate_limit <= 0:
            raise ConfigError("gatekeeper setting rate_limit must be positive")

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> GatekeeperConfig:
        """Settings from a JSON or TOML file (keys are the constructor's argument names)."""
        return config_from_file(cls, path, _SERVICE, overrides)

    @property
    def signing_key(self) -> bytes:
        """The secp256k1 signing key. Secret: never log it."""
        return self._signing_key

    def connect(self) -> Web3:
        """The configured chain: the in-process ``w3``, or an HTTP provider on ``rpc_url``."""
        return connect_chain(self.w3, self.rpc_url)

    def __repr__(self) -> str:
        return (
            f"GatekeeperConfig(index={self.index}, address={self.address}, "
            f"host={self.host!r}, port={self.port}, chain_id={self.deployment.chain_id})"
        )

    @staticmethod
    def _collateral(pccs_url: str | None, collateral_file: str | Path | None) -> CollateralSource:
        if collateral_file:
            return FileCollateral(collateral_file)
        return PccsCollateral(pccs_url)
