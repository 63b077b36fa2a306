"""One configuration object for a relayer: argument > ``VERITEE_RELAYER_*`` > default.

Every setting can be passed to :class:`RelayerConfig` (or written in a JSON/TOML file that
:meth:`RelayerConfig.from_file` reads as constructor arguments); a setting not passed is read
from the environment variable ``VERITEE_RELAYER_<NAME>`` (``VERITEE_RELAYER_PRIVATE_KEY``, …);
otherwise it takes its default. A required setting found nowhere, or a bad value, raises
:class:`~veritee.exceptions.ConfigError` naming the setting (and, when missing, the variable).

The in-process ``w3`` (tests, the demo) can only be passed as an argument; otherwise
``rpc_url`` names the chain.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from veritee.chain.deployment import Deployment
from veritee.exceptions import ConfigError
from veritee.protocol import MAX_BATCH
from veritee.relayer.policy import BatchPlan, RetryPolicy
from veritee.settings import (
    Settings,
    config_from_file,
    connect_chain,
    load_deployment,
    parse_account,
    parse_bool,
    parse_float,
    parse_int,
    veritee_home,
)

__all__ = ["ENV_PREFIX", "RelayerConfig"]

ENV_PREFIX = "VERITEE_RELAYER_"
_SERVICE = "relayer"
_int = partial(parse_int, _SERVICE)
_float = partial(parse_float, _SERVICE)


class RelayerConfig:
    """Everything one relayer needs; see the module docstring for where each value comes from.

    Required: ``deployment`` (a :class:`Deployment` or the path of its JSON record),
    ``private_key`` (the account that pays gas; 32 bytes hex) and a chain (``rpc_url`` or
    ``w3``). The key never appears in ``repr``.

    ====================  =========  ==========================================================
    setting               default    meaning
    ====================  =========  ==========================================================
    db_path               $VERITEE_HOME/relayer/<address>.db   the SQLite state file
    confirmations         2          follow the chain this many blocks behind its head
    start_block           record's   first block to read (default: the deployment's block)
    max_block_range       2000       most blocks per log query
    poll_interval         2.0        seconds between rounds of :meth:`Relayer.run`
    batch_size            100        most results per settlement (at most 100)
    batch_wait            10.0       seconds the oldest delivered job may wait for a full batch
    lease_seconds         60         lease a worker grants this relayer on a batch
    max_attempts          8          delivery attempts before giving up on a job
    base_backoff          1.0        seconds after the first failed delivery (then doubling)
    max_backoff           300.0      longest wait between delivery attempts
    http_timeout          10.0       seconds for one HTTP request to a worker
    max_concurrency       32         deliveries and batch requests in flight at once
    endpoint_ttl          60.0       seconds a worker's endpoint read from the chain is reused
    tx_timeout            180.0      seconds before an unmined, unknown settlement is dropped
    expire_overdue        true       expire overdue pending jobs it knows of (slasher reward)
    ====================  =========  ==========================================================
    """

    def __init__(
        self,
        *,
        deployment: Deployment | str | Path | None = None,
        private_key: str | bytes | None = None,
        rpc_url: str | None = None,
        w3: Web3 | None = None,
        db_path: str | Path | None = None,
        confirmations: int | str | None = None,
        start_block: int | str | None = None,
        max_block_range: int | str | None = None,
        poll_interval: float | str | None = None,
        batch_size: int | str | None = None,
        batch_wait: float | str | None = None,
        lease_seconds: int | str | None = None,
        max_attempts: int | str | None = None,
        base_backoff: float | str | None = None,
        max_backoff: float | str | None = None,
        http_timeout: float | str | None = None,
        max_concurrency: int | str | None = None,
        endpoint_ttl: float | str | None = None,
        tx_timeout: float | str | None = None,
        expire_overdue: bool | str | None = None,
    ) -> None:
        get = Settings(_SERVICE, ENV_PREFIX, locals())
        self.deployment = load_deployment(_SERVICE, get("deployment", required=True))
        self._account = parse_account(_SERVICE, "private_key", get("private_key", required=True))
        self.w3 = w3
        self.rpc_url = get.rpc_url(w3)
        default_db = veritee_home() / "relayer" / f"{self.address.lower()}.db"
        self.db_path = Path(get("db_path", default=default_db)).expanduser()
        self.confirmations = _int("confirmations", get("confirmations", default=2))
        start = get("start_block", default=self.deployment.block)
        self.start_block = _int("start_block", start)
        self.max_block_range = _int("max_block_range", get("max_block_range", default=2_000), 1)
        self.poll_interval = _float("poll_interval", get("poll_interval", default=2.0), 0.001)
        self.batch_size = _int("batch_size", get("batch_size", default=MAX_BATCH), 1)
        if self.batch_size > MAX_BATCH:
            raise ConfigError(
                f"relayer setting batch_size must be at most {MAX_BATCH}, got {self.batch_size}"
            )
        self.batch_wait = _float("batch_wait", get("batch_wait", default=10.0))
        self.lease_seconds = _int("lease_seconds", get("lease_seconds", default=60), 1)
        if self.lease_seconds > 3_600:
            raise ConfigError("relayer setting lease_seconds must be at most 3600")
        self.max_attempts = _int("max_attempts", get("max_attempts", default=8), 1)
        self.base_backoff = _float("base_backoff", get("base_backoff", default=1.0), 0.001)
        self.max_backoff = _float("max_backoff", get("max_backoff", default=300.0), 0.001)
        if self.max_backoff < self.base_backoff:
            raise ConfigError("relayer setting max_backoff must be at least base_backoff")
        self.http_timeout = _float("http_timeout", get("http_timeout", default=10.0), 0.001)
        self.max_concurrency = _int("max_concurrency", get("max_concurrency", default=32), 1)
        self.endpoint_ttl = _float("endpoint_ttl", get("endpoint_ttl", default=60.0))
        self.tx_timeout = _float("tx_timeout", get("tx_timeout", default=180.0))
        self.expire_overdue = parse_bool(
            _SERVICE, "expire_overdue", get("expire_overdue", default=True)
        )

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> RelayerConfig:
        """Settings from a JSON or TOML file (keys are the constructor's argument names)."""
        return config_from_file(cls, path, _SERVICE, overrides)

    @property
    def account(self) -> LocalAccount:
        """The gas-paying account. Its key is secret: never log it."""
        return self._account

    @property
    def address(self) -> str:
        return str(self._account.address)

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(self.max_attempts, self.base_backoff, self.max_backoff)

    @property
    def batch_plan(self) -> BatchPlan:
        return BatchPlan(self.batch_size, self.batch_wait)

    def connect(self) -> Web3:
        """The configured chain: the in-process ``w3``, or an HTTP provider on ``rpc_url``."""
        return connect_chain(self.w3, self.rpc_url)

    def __repr__(self) -> str:
        return (
            f"RelayerConfig(address={self.address}, chain_id={self.deployment.chain_id}, "
            f"db_path={str(self.db_path)!r}, confirmations={self.confirmations}, "
            f"batch_size={self.batch_size})"
        )
