"""Getting an enclave certified, and its sealing key, from the gatekeepers.

:class:`Certification` makes a fresh quote for an enclave identity (nonce: the latest block's
hash), has ``t`` gatekeepers certify it, and uploads the raw quote to the blob store, where its
address is the certificate's ``quote_hash`` so that anyone can fetch and re-verify it. It also
derives the sealing key ``seal:<measurement>`` (presenting the fresh certificate, so that an
enclave not yet registered on-chain can get it) and capsule data keys for jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from veritee.attestation.provider import TeeProvider
from veritee.chain.clients import Network
from veritee.crypto.secp256k1 import Point
from veritee.exceptions import AttestationError, QuorumError
from veritee.gatekeeper.client import GatekeeperClient
from veritee.gatekeeper.outcomes import CertificateBundle, KeyRelease
from veritee.worker.enclave import EnclaveIdentity, attest, sealing_key_name
from veritee.worker.executor import BlobAccess

__all__ = ["Certification"]

_log = logging.getLogger(__name__)
Offload = Callable[..., Awaitable[Any]]


class Certification:
    """Certifies enclaves of this worker and gets keys released to them."""

    def __init__(
        self,
        *,
        network: Network,
        provider: TeeProvider,
        gatekeepers: GatekeeperClient,
        blobs: BlobAccess,
        operator: str,
        lifetime: int,
        offload: Offload,
    ) -> None:
        self.network = network
        self.provider = provider
        self.gatekeepers = gatekeepers
        self.blobs = blobs
        self.operator = operator
        self.lifetime = lifetime
        self.offload = offload
        self.chain_id = network.deployment.chain_id
        self._threshold: int | None = None
        self._shares: dict[int, Point] = {}

    async def refresh_shares(self) -> tuple[int, dict[int, Point]]:
        """The on-chain threshold and public shares ``S_i`` (re-read: a reshare changes them)."""

        def read() -> tuple[int, dict[int, Point]]:
            gatekeepers = self.network.gatekeepers
            shares = gatekeepers.public_shares()
            return gatekeepers.threshold(), {
                i: Point.from_xy(*xy) for i, xy in enumerate(shares, start=1)
            }

        self._threshold, self._shares = await self.offload(read)
        return self._threshold, self._shares

    async def _shares_now(self) -> tuple[int, dict[int, Point]]:
        if self._threshold is None:
            return await self.refresh_shares()
        return self._threshold, self._shares

    async def certify(self, identity: EnclaveIdentity) -> CertificateBundle:
        """A certificate bundle (``t`` signatures) for ``identity``; the quote is uploaded."""
        threshold, _ = await self._shares_now()
        block = await self.offload(self.network.w3.eth.get_block, "latest")
        nonce = bytes(block["hash"])
        request, quote = await self.offload(
            lambda: attest(
                identity,
                self.provider,
                chain_id=self.chain_id,
                workers=self.network.workers.address,
                operator=self.operator,
                nonce=nonce,
                lifetime=self.lifetime,
            )
        )
        bundle = await self.gatekeepers.request_certificate(request, threshold)
        if bundle.certificate.quote_hash != quote.quote_hash:
            raise AttestationError("the gatekeepers certified another quote than the one sent")
        await self.offload(self.blobs.put, quote.raw)
        _log.info(
            "enclave %s certified until %d (quote %s)",
            identity.address,
            bundle.certificate.expiry,
            quote.quote_hash.hex(),
        )
        return bundle

    async def sealing_key(self, identity: EnclaveIdentity, bundle: CertificateBundle) -> bytes:
        """The key ``seal:<measurement>`` for the certified ``identity`` (``bundle``)."""
        threshold, shares = await self.refresh_shares()
        release: KeyRelease = await self.gatekeepers.named_key(
            name=sealing_key_name(bundle.certificate.measurement),
            enclave_key=identity.signing_key,
            x25519=identity.x25519,
            public_shares=shares,
            threshold=threshold,
            certificate=bundle,
        )
        _report(release, "sealing key")
        return release.key

    async def capsule_key(
        self, identity: EnclaveIdentity, job_id: int, capsule_id: int, capsule_r: Point
    ) -> bytes:
        """The data key of ``capsule_id`` for job ``job_id``, from ``t`` gatekeepers."""
        threshold, shares = await self._shares_now()
        try:
            release = await self._capsule_key(identity, job_id, capsule_id, capsule_r)
        except QuorumError:
            # The gatekeeper set may have been reshared since the shares were read: once more.
            if (threshold, shares) == await self.refresh_shares():
                raise
            release = await self._capsule_key(identity, job_id, capsule_id, capsule_r)
        _report(release, f"job {job_id} capsule {capsule_id} key")
        return release.key

    async def _capsule_key(
        self, identity: EnclaveIdentity, job_id: int, capsule_id: int, capsule_r: Point
    ) -> KeyRelease:
        threshold, shares = await self._shares_now()
        return await self.gatekeepers.capsule_key(
            job_id=job_id,
            capsule_id=capsule_id,
            enclave_key=identity.signing_key,
            x25519=identity.x25519,
            capsule_r=capsule_r,
            public_shares=shares,
            threshold=threshold,
        )


def _report(release: KeyRelease, what: str) -> None:
    for liar in release.liars:
        _log.warning("%s: gatekeeper %d answered with a bad share: %s", what, liar.index, liar)
