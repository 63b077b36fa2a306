"""DEVELOPMENT ONLY: a set of gatekeepers in this process, over a development network.

:class:`LocalGatekeepers` starts one HTTP server per development gatekeeper key of a
:class:`~veritee.chain.devnet.DevNetwork` (each on a free 127.0.0.1 port, each with its own data
directory), runs their DKG through the relay and publishes the network key. The demo, the tests
and the benchmarks use it. Its X25519 keys, like the devnet's signing keys, are derived from
public labels: never use them where anything is at stake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from eth_utils import keccak

from veritee.chain.devnet import DevNetwork
from veritee.crypto.secp256k1 import Point
from veritee.gatekeeper.config import GatekeeperConfig
from veritee.gatekeeper.dkg_orchestrator import DkgResult, run_dkg
from veritee.gatekeeper.node import GatekeeperNode
from veritee.gatekeeper.outcomes import GatekeeperEndpoint
from veritee.gatekeeper.reshare_orchestrator import ReshareResult, run_reshare
from veritee.gatekeeper.server import GatekeeperServer

__all__ = ["LocalGatekeepers", "dev_encryption_key"]


def dev_encryption_key(index: int) -> bytes:
    """The public, development-only X25519 private key of development gatekeeper ``index``."""
    return keccak(text=f"veritee-dev-gatekeeper-x25519:{index}")


class LocalGatekeepers:
    """Every development gatekeeper of ``devnet`` served from this process.

    ``options`` are :class:`GatekeeperConfig` settings for all of them (``confirmations``,
    ``simulated_platform_keys``, ``rate_limit``, …); ``node_classes`` swaps in another node class
    for some indices (a test's lying gatekeeper).
    """

    def __init__(
        self,
        devnet: DevNetwork,
        data_dir: Path,
        *,
        node_classes: Mapping[int, type[GatekeeperNode]] | None = None,
        **options: Any,
    ) -> None:
        self.devnet = devnet
        self.data_dir = data_dir
        self._classes = dict(node_classes or {})
        # Development defaults: every transaction counts at once (no confirmations, the head
        # read for every request); pass production values to measure those.
        self._options = {"confirmations": 0, "head_max_age": 0, "port": 0, **options}
        self.nodes: dict[int, GatekeeperNode] = {}
        self.servers: dict[int, GatekeeperServer] = {}

    def config(self, index: int) -> GatekeeperConfig:
        """Gatekeeper ``index``'s configuration (1-based, as on-chain)."""
        return GatekeeperConfig(
            index=index,
            signing_key=self.devnet.gatekeeper_keys[index - 1],
            encryption_key=dev_encryption_key(index),
            deployment=self.devnet.deployment,
            w3=self.devnet.backend.w3,
            data_dir=self.data_dir / f"gatekeeper-{index}",
            **self._options,
        )

    def start(self) -> list[GatekeeperEndpoint]:
        """Start every gatekeeper's server not yet started (a key added to the devnet's
        ``gatekeeper_keys`` and to the on-chain set joins); returns all endpoints in index order.
        """
        for index in range(1, len(self.devnet.gatekeeper_keys) + 1):
            if index in self.nodes:
                continue
            node = self._classes.get(index, GatekeeperNode)(self.config(index))
            self.nodes[index] = node
            self.servers[index] = server = GatekeeperServer(node)
            server.start()
        return self.endpoints

    @property
    def endpoints(self) -> list[GatekeeperEndpoint]:
        """Each gatekeeper's index, address and URL."""
        return [
            GatekeeperEndpoint(i, node.address, self.servers[i].url)
            for i, node in sorted(self.nodes.items())
        ]

    def run_dkg(self) -> DkgResult:
        """Run the DKG among all of them and publish the key (sent by development account 0)."""
        return run_dkg([e.url for e in self.endpoints], self.devnet.network(0))

    def run_reshare(self) -> ReshareResult:
        """Reshare the key to the set now on-chain (installed by the owner with
        ``set_gatekeepers``) among all of them; the publication is sent by account 0."""
        return run_reshare([e.url for e in self.endpoints], self.devnet.network(0))

    def public_shares(self) -> dict[int, Point]:
        """The published public shares ``S_i``, read from the chain."""
        shares = self.devnet.network(0).gatekeepers.public_shares()
        return {i: Point.from_xy(*xy) for i, xy in enumerate(shares, start=1)}

    def stop(self, indices: Sequence[int] | None = None) -> None:
        """Stop some gatekeepers' servers (default: all)."""
        for index in sorted(self.servers) if indices is None else indices:
            self.servers[index].stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
