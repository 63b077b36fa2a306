"""One configuration object for a worker: argument > ``VERITEE_WORKER_*`` > default.

Every setting can be passed to :class:`WorkerConfig` (or written in a JSON/TOML file that
:meth:`WorkerConfig.from_file` reads as constructor arguments, for ``veritee worker run --config
FILE``); a setting not passed is read from ``VERITEE_WORKER_<NAME>``; otherwise it takes its
default. A required setting found nowhere, or an invalid one, raises
:class:`~veritee.exceptions.ConfigError` naming the setting (and the variable).

In variables, lists are comma-separated (``VERITEE_WORKER_MODELS=1,2``) and structured values
JSON (``VERITEE_WORKER_GATEKEEPERS='[{"index": 1, "address": "0x…", "url": "http://…"}]'``,
``VERITEE_WORKER_PROVIDER_OPTIONS='{"key_dir": "…"}'``). An in-process chain (``w3``), TEE
provider or blob store object can only be passed as an argument.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from veritee.attestation.provider import TeeProvider, make_provider
from veritee.blobs import BlobStore
from veritee.chain.deployment import Deployment
from veritee.exceptions import ConfigError
from veritee.gatekeeper.outcomes import GatekeeperEndpoint
from veritee.settings import (
    Settings,
    config_from_file,
    connect_chain,
    load_deployment,
    parse_account,
    parse_float,
    parse_int,
    veritee_home,
)

__all__ = ["ENV_PREFIX", "WorkerConfig"]

ENV_PREFIX = "VERITEE_WORKER_"
_SERVICE = "worker"
_int = partial(parse_int, _SERVICE)
# As before the shared parsers: the worker's minimum checks let NaN through (the relayer's don't).
_float = partial(parse_float, _SERVICE, allow_nan=True)


def _json(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise ConfigError(f"worker setting {name} is not valid JSON") from None


def _endpoint(value: Any) -> GatekeeperEndpoint:
    if isinstance(value, GatekeeperEndpoint):
        return value
    if not isinstance(value, Mapping):
        raise ConfigError("worker setting gatekeepers: each entry needs index, address and url")
    try:
        return GatekeeperEndpoint(
            int(value["index"]), str(value["address"]), str(value["url"]).rstrip("/")
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"worker setting gatekeepers: each entry needs index, address and url ({exc})"
        ) from None


def _models(value: Any) -> tuple[int, ...]:
    if isinstance(value, str):
        value = [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, int):
        value = [value]
    if not isinstance(value, Iterable):
        raise ConfigError("worker setting models must be a list of model ids")
    models = tuple(_int("models", item) for item in value)
    if not models:
        raise ConfigError("worker setting models is empty: a worker must serve at least one model")
    return models


class WorkerConfig:
    """Everything one worker needs to run; see the module docstring for precedence.

    Required: ``operator_key`` (secp256k1, 32 bytes: the account that registers the worker and
    pays its bond and gas; the enclave key is generated inside the TEE), ``deployment`` (a
    :class:`Deployment` or the path of its record), a chain (``w3`` or ``rpc_url``),
    ``gatekeepers`` (their index, address and URL), ``blob_store`` (a URL or a
    :class:`~veritee.blobs.BlobStore`) and ``models`` (the model ids served). Secrets never
    appear in ``repr``.
    """

    def __init__(
        self,
        *,
        operator_key: bytes | str | None = None,
        deployment: Deployment | str | Path | None = None,
        rpc_url: str | None = None,
        w3: Web3 | None = None,
        gatekeepers: Iterable[GatekeeperEndpoint | Mapping[str, Any]] | str | None = None,
        blob_store: str | BlobStore | None = None,
        models: Iterable[int] | int | str | None = None,
        provider: str | TeeProvider | None = None,
        provider_options: Mapping[str, Any] | str | None = None,
        data_dir: str | Path | None = None,
        host: str | None = None,
        port: int | str | None = None,
        public_url: str | None = None,
        price: int | str | None = None,
        bond: int | str | None = None,
        max_concurrent: int | str | None = None,
        certificate_lifetime: int | str | None = None,
        renew_before: int | str | None = None,
        confirmations: int | str | None = None,
        shutdown_timeout: float | str | None = None,
        gatekeeper_timeout: float | str | None = None,
        model_cache: int | str | None = None,
        max_blob_size: int | str | None = None,
        blob_schemes: Iterable[str] | str | None = None,
        settle_poll: float | str | None = None,
        settled_retention: float | str | None = None,
    ) -> None:
        get = Settings(_SERVICE, ENV_PREFIX, locals())
        self._operator = parse_account(_SERVICE, "operator_key", get("operator_key", required=True))
        self.operator = self._operator.address
        self.deployment = load_deployment(_SERVICE, get("deployment", required=True))
        self.w3 = w3
        self.rpc_url = get.rpc_url(w3)
        entries = _json("gatekeepers", get("gatekeepers", required=True))
        if not isinstance(entries, Iterable) or isinstance(entries, (str, bytes, Mapping)):
            raise ConfigError("worker setting gatekeepers must be a list of endpoints")
        self.gatekeepers = tuple(sorted((_endpoint(e) for e in entries), key=lambda e: e.index))
        if not self.gatekeepers:
            raise ConfigError("worker setting gatekeepers is empty")
        self.blob_store: str | BlobStore = get("blob_store", required=True)
        self.models = _models(get("models", required=True))
        self.provider: str | TeeProvider = get("provider", default="simulated")
        options = _json("provider_options", get("provider_options", default={}))
        if not isinstance(options, Mapping):
            raise ConfigError("worker setting provider_options must be an object")
        self.provider_options = dict(options)
        self.data_dir = Path(get("data_dir", default=veritee_home() / "worker")).expanduser()
        self.host: str = get("host", default="127.0.0.1")
        self.port = _int("port", get("port", default=7400))
        if self.port > 65_535:
            raise ConfigError(f"worker setting port must be at most 65535, got {self.port}")
        self.public_url: str | None = get("public_url", default=None)
        if self.public_url is not None:
            self.public_url = self.public_url.rstrip("/")
        self.price = _int("price", get("price", default=0))
        bond = get("bond", default=None)
        self.bond = None if bond is None else _int("bond", bond)
        self.max_concurrent = _int("max_concurrent", get("max_concurrent", default=4), 1)
        self.certificate_lifetime = _int(
            "certificate_lifetime", get("certificate_lifetime", default=86_400), 60
        )
        self.renew_before = _int("renew_before", get("renew_before", default=3_600), 1)
        if self.renew_before >= self.certificate_lifetime:
            raise ConfigError(
                "worker setting renew_before must be shorter than certificate_lifetime"
            )
        self.confirmations = _int("confirmations", get("confirmations", default=2))
        self.shutdown_timeout = _float("shutdown_timeout", get("shutdown_timeout", default=30.0))
        self.gatekeeper_timeout = _float(
            "gatekeeper_timeout", get("gatekeeper_timeout", default=30.0), 0.1
        )
        self.model_cache = _int("model_cache", get("model_cache", default=8), 1)
        self.max_blob_size = _int("max_blob_size", get("max_blob_size", default=256 << 20), 1024)
        # Where blobs outside the worker's own store may be fetched from. Bytes are always
        # checked against the on-chain hash; this keeps untrusted URIs off the host's files.
        schemes = get("blob_schemes", default=("https", "http"))
        if isinstance(schemes, str):
            schemes = [part.strip() for part in schemes.split(",") if part.strip()]
        self.blob_schemes: tuple[str, ...] = tuple(schemes)
        unknown = set(self.blob_schemes) - {"https", "http", "file"}
        if not self.blob_schemes or unknown:
            raise ConfigError(
                "worker setting blob_schemes must list some of https, http, file; "
                f"got {list(self.blob_schemes)}"
            )
        self.settle_poll = _float("settle_poll", get("settle_poll", default=10.0), 0.05)
        self.settled_retention = _float(
            "settled_retention", get("settled_retention", default=3_600.0)
        )

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> WorkerConfig:
        """Settings from a JSON or TOML file (keys are the constructor's argument names)."""
        return config_from_file(cls, path, _SERVICE, overrides)

    @property
    def operator_account(self) -> LocalAccount:
        """The operator's account (it holds the private key: never log it)."""
        return self._operator

    def connect(self) -> Web3:
        """The configured chain: the in-process ``w3``, or an HTTP provider on ``rpc_url``."""
        return connect_chain(self.w3, self.rpc_url)

    def make_provider(self) -> TeeProvider:
        """The TEE provider: the one passed in, or the backend named ``provider``."""
        if isinstance(self.provider, TeeProvider):
            return self.provider
        return make_provider(self.provider, **self.provider_options)

    def __repr__(self) -> str:
        return (
            f"WorkerConfig(operator={self.operator}, chain_id={self.deployment.chain_id}, "
            f"host={self.host!r}, port={self.port}, models={list(self.models)})"
        )
