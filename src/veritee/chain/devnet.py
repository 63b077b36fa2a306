"""A development network: the contracts deployed on a local chain with development keys.

Used by ``veritee demo``, the benchmarks and the tests. The gatekeeper keys here are derived from
public labels and so are **not secret**: they exist only so that a development network can
certify workers before real gatekeepers (``veritee.gatekeeper``) run. Never use them on a chain
that holds value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from eth_utils import keccak

from veritee.chain.backend import ChainBackend
from veritee.chain.clients import Network
from veritee.chain.deployment import Deployment, DeploymentConfig, deploy
from veritee.chain.sender import TransactionSender
from veritee.chain.types import TcbStatus, TeeKind
from veritee.crypto.typed_data import Certificate, address_of, certificate_digest, sign_digest

__all__ = ["DEV_MEASUREMENT", "DevNetwork", "deploy_dev_network", "dev_gatekeeper_keys"]

#: Measurement the development policy allows for simulated workers.
DEV_MEASUREMENT = keccak(b"veritee development measurement (simulated TEE, not secure)")


def dev_gatekeeper_keys(count: int) -> list[bytes]:
    """Deterministic, public, development-only gatekeeper signing keys."""
    return [keccak(text=f"veritee-dev-gatekeeper:{i}") for i in range(count)]


@dataclass
class DevNetwork:
    """A deployed development network and the keys that drive it."""

    backend: ChainBackend
    deployment: Deployment
    gatekeeper_keys: list[bytes]
    threshold: int
    measurement: bytes = DEV_MEASUREMENT
    _senders: dict[int, TransactionSender] = field(default_factory=dict)

    def sender(self, index: int) -> TransactionSender:
        """The (cached) transaction sender of funded development account ``index``."""
        if index not in self._senders:
            self._senders[index] = TransactionSender(self.backend.w3, self.backend.accounts[index])
        return self._senders[index]

    def network(self, index: int = 0) -> Network:
        """Clients sending as development account ``index`` (0 deployed and owns everything)."""
        return Network(self.backend.w3, self.deployment, self.sender(index))

    def resync(self) -> None:
        """Re-reads every sender's nonce (after a chain snapshot was reverted)."""
        for sender in self._senders.values():
            sender.resync()

    def now(self) -> int:
        """The latest block's timestamp."""
        return int(self.backend.w3.eth.get_block("latest")["timestamp"])

    def certificate(
        self,
        enclave_key: bytes,
        operator: str,
        *,
        lifetime: int = 86_400,
        tee_kind: TeeKind = TeeKind.SIMULATED,
        tcb_status: TcbStatus = TcbStatus.UP_TO_DATE,
        measurement: bytes | None = None,
        quote_hash: bytes | None = None,
    ) -> Certificate:
        """A certificate for a development worker (unsigned)."""
        now = self.now()
        return Certificate(
            enclave=address_of(enclave_key),
            operator=operator,
            x25519_key=keccak(b"dev x25519 key:" + enclave_key),
            measurement=measurement or self.measurement,
            tee_kind=int(tee_kind),
            tcb_status=int(tcb_status),
            quote_hash=quote_hash or keccak(b"dev quote:" + enclave_key),
            issued_at=now,
            expiry=now + lifetime,
        )

    def sign_certificate(
        self, certificate: Certificate, signers: Sequence[int] | None = None
    ) -> list[bytes]:
        """Gatekeeper signatures over ``certificate``, ordered by signer address."""
        indexes = list(range(self.threshold)) if signers is None else list(signers)
        keys = sorted(
            (self.gatekeeper_keys[i] for i in indexes), key=lambda k: int(address_of(k), 16)
        )
        digest = certificate_digest(self.network().workers.domain(), certificate)
        return [sign_digest(k, digest) for k in keys]


def deploy_dev_network(
    backend: ChainBackend,
    *,
    gatekeepers: int = 3,
    threshold: int = 2,
    config: DeploymentConfig | None = None,
) -> DevNetwork:
    """Deploys the contracts on ``backend`` as account 0 with development gatekeepers.

    Account 0 owns every contract, holds the initial token supply, is the treasury and may
    verify models; the policy accepts simulated quotes with :data:`DEV_MEASUREMENT`.
    """
    keys = dev_gatekeeper_keys(gatekeepers)
    sender = TransactionSender(backend.w3, backend.accounts[0])
    config = config or DeploymentConfig(
        gatekeepers=[address_of(k) for k in keys],
        threshold=threshold,
        measurements=[(TeeKind.SIMULATED, DEV_MEASUREMENT)],
        verifiers=[sender.address],
    )
    deployment = deploy(backend.w3, sender, config)
    devnet = DevNetwork(backend, deployment, keys, threshold)
    devnet._senders[0] = sender
    return devnet
