"""How a command reaches the network: flags, then ``VERITEE_*`` variables, then the devnet.

Every chain command accepts ``--rpc``/``--deployment``/``--key``/``--blobs``; without them it
uses the development network that ``veritee devnet up`` recorded (``--devnet DIR``), acting as
that network's development account for the command's role (``--as ROLE``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Annotated, Self

import requests
import typer
from eth_account import Account

from veritee.chain.backend import dev_accounts
from veritee.chain.clients import Network
from veritee.chain.deployment import Deployment
from veritee.chain.rpc import http_web3
from veritee.chain.sender import TransactionSender
from veritee.devnet.state import ROLES, DevnetState, default_directory
from veritee.exceptions import ConfigError

__all__ = [
    "AsOption",
    "BlobsOption",
    "DeploymentOption",
    "DevnetOption",
    "JsonOption",
    "KeyOption",
    "RpcOption",
    "Session",
    "open_session",
]

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
RpcOption = Annotated[
    str | None, typer.Option("--rpc", help="Chain RPC URL [env VERITEE_RPC_URL; else the devnet]")
]
DeploymentOption = Annotated[
    Path | None,
    typer.Option("--deployment", help="Deployment record JSON [env VERITEE_DEPLOYMENT]"),
]
KeyOption = Annotated[
    str | None, typer.Option("--key", help="Hex private key to send with [env VERITEE_KEY]")
]
BlobsOption = Annotated[
    str | None, typer.Option("--blobs", help="Blob store URL or directory [env VERITEE_BLOBS]")
]
DevnetOption = Annotated[
    Path | None, typer.Option("--devnet", help="Development network directory")
]
AsOption = Annotated[
    str | None,
    typer.Option("--as", help=f"Development account role: {', '.join(ROLES)}"),
]


@dataclass
class Session:
    """A connection for one command: the clients, the sending key and the blob store URL."""

    network: Network
    key: bytes
    blob_url: str | None
    devnet: DevnetState | None
    _http: requests.Session

    @property
    def address(self) -> str:
        return str(Account.from_key(self.key).address)

    def require_blobs(self) -> str:
        if not self.blob_url:
            raise ConfigError("no blob store: pass --blobs URL or set VERITEE_BLOBS")
        return self.blob_url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_session(
    *,
    rpc: str | None = None,
    deployment: Path | None = None,
    key: str | None = None,
    blobs: str | None = None,
    devnet: Path | None = None,
    role: str = "admin",
) -> Session:
    """Connect as the flags, environment or the recorded devnet say (in that order)."""
    rpc = rpc or os.environ.get("VERITEE_RPC_URL")
    record = deployment or _env_path("VERITEE_DEPLOYMENT")
    key = key or os.environ.get("VERITEE_KEY")
    blobs = blobs or os.environ.get("VERITEE_BLOBS")
    state: DevnetState | None = None
    if rpc is None or record is None or key is None:
        state = DevnetState.load((devnet or default_directory()).resolve())
        rpc = rpc or state.rpc_url
        record = record or state.deployment_path
        blobs = blobs or state.blob_url
        if key is None:
            if role not in ROLES:
                raise ConfigError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
            key = dev_accounts(ROLES[role] + 1)[ROLES[role]].key.hex()
    try:
        private = bytes.fromhex(key.removeprefix("0x"))
    except ValueError:
        raise ConfigError("--key is not hex") from None
    if len(private) != 32:
        raise ConfigError("--key must be a 32-byte private key")
    http = requests.Session()
    w3 = http_web3(rpc, timeout=60, session=http)
    sender = TransactionSender(w3, Account.from_key(private))
    network = Network.connect(w3, Deployment.load(record), sender)
    return Session(network, private, blobs, state, http)


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None
