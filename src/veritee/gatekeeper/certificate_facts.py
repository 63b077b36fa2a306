"""Reading the facts about a certificate a worker presents, for the pure named-key policy.

A worker restarting before it is registered on-chain still needs its sealing key to unseal its
previous identity, so it may present the certificate the gatekeepers issued it (``/v1/certify``)
with their signatures. This module gathers what :func:`~veritee.gatekeeper.policy.decide_named_key`
decides on, at the block the decision is pinned to: who signed the certificate's EIP-712 digest
(in the Workers contract's domain, exactly what ``Workers.register`` checks), the gatekeeper set
and threshold, and whether the on-chain TEE policy still admits the certificate's TEE.
"""

from __future__ import annotations

from collections.abc import Sequence

from veritee.chain.clients import Network
from veritee.chain.types import TcbStatus, TeeKind
from veritee.crypto.typed_data import Certificate, Domain, certificate_digest, recover_digest
from veritee.exceptions import ContractRevert, SignatureError
from veritee.gatekeeper.chain_view import BlockFacts
from veritee.gatekeeper.policy import CertificateFacts

__all__ = ["certificate_facts"]


def _signer(digest: bytes, signature: bytes) -> str | None:
    try:
        return recover_digest(digest, signature)
    except SignatureError:
        return None


def _admitted(network: Network, block: BlockFacts, certificate: Certificate) -> bool:
    policy = network.policy.at_block(block.number)
    try:
        kind, tcb = TeeKind(certificate.tee_kind), TcbStatus(certificate.tcb_status)
        policy.check(kind, certificate.measurement, tcb)
    except (ValueError, ContractRevert):
        return False
    return True


def certificate_facts(
    network: Network, block: BlockFacts, certificate: Certificate, signatures: Sequence[bytes]
) -> CertificateFacts:
    """The facts about ``certificate`` and its ``signatures`` as of ``block``."""
    workers_domain = Domain(
        "veritee Workers", "1", network.deployment.chain_id, network.workers.address
    )
    digest = certificate_digest(workers_domain, certificate)
    gatekeepers = network.gatekeepers.at_block(block.number)
    return CertificateFacts(
        enclave=certificate.enclave,
        measurement=certificate.measurement,
        expiry=certificate.expiry,
        admitted=_admitted(network, block, certificate),
        signers=tuple(_signer(digest, signature) for signature in signatures),
        members=tuple(gatekeepers.members()),
        threshold=gatekeepers.threshold(),
    )
