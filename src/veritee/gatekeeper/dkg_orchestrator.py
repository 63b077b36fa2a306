"""Relaying a DKG among the gatekeepers and publishing the resulting network key on-chain.

The orchestrator is an untrusted relay: it moves signed messages between the gatekeepers'
``/v1/dkg/*`` endpoints and can read nothing (shares travel sealed to each recipient's X25519
key) and forge nothing (every message is signed by its sender and checked against the on-chain
member list). It may drop messages, which the gatekeepers detect through their signed views.
Finally it collects the gatekeepers' signatures over ``NetworkKey(epoch, S, shares)`` and submits
``Gatekeepers.publish_key`` with at least ``t`` of them, ordered by signer. The HTTP plumbing
and the signature checks are those of every relayed ceremony (:mod:`~.ceremony_relay`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from veritee.chain.clients import Network
from veritee.crypto.secp256k1 import Point
from veritee.exceptions import CeremonyError
from veritee.gatekeeper.ceremony_relay import (
    CeremonyRelay,
    hex_point,
    publish_network_key,
    valid_key_signatures,
)

__all__ = ["DkgResult", "run_dkg", "run_dkg_async"]


@dataclass(frozen=True)
class DkgResult:
    """The published network key and who signed its publication."""

    epoch: int
    public_key: Point
    public_shares: tuple[Point, ...]
    signers: tuple[str, ...]
    transaction_hash: str


async def run_dkg_async(
    urls: Sequence[str],
    network: Network,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 60.0,
) -> DkgResult:
    """Run the DKG among the gatekeepers at ``urls`` and publish the key with ``network``.

    ``network`` must have a sender (any account may submit the publication; the signatures
    authorise it). Every member must announce; later steps go on without gatekeepers that
    drop out, as long as ``t`` finish with the same key. Raises :class:`CeremonyError` naming
    each failing gatekeeper and step.
    """
    gatekeepers = network.gatekeepers
    t, members = gatekeepers.threshold(), gatekeepers.members()
    urls = [u.rstrip("/") for u in urls]
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as http:
        relay = CeremonyRelay(http, "dkg")
        # every member must announce; later steps go on without those that drop out
        started = await relay.each(urls, "start", {}, needed=urls)
        announcements = [a["announcement"] for a in started.values()]
        dealt = await relay.each(urls, "deals", {"announcements": announcements})
        deals = [a["deal"] for a in dealt.values()]
        judged = await relay.each(list(dealt), "complaints", {"deals": deals})
        complaints = [c for a in judged.values() for c in a["complaints"]]
        document = {"complaints": complaints, "views": [a["view"] for a in judged.values()]}
        answered = await relay.each(list(judged), "reveals", document)
        reveals = [r for a in answered.values() for r in a["reveals"]]
        document = {"reveals": reveals, "views": [a["view"] for a in answered.values()]}
        finished = await relay.each(list(answered), "finalize", document)
        keys: dict[tuple[str, ...], list[str]] = {}
        for url, answer in finished.items():
            keys.setdefault((answer["public_key"], *answer["public_shares"]), []).append(url)
        agreed, agreeing = max(keys.items(), key=lambda item: len(item[1]), default=((), []))
        if len(agreeing) < t:
            raise CeremonyError(
                "no quorum", f"only {len(agreeing)} gatekeepers agree on a key, {t} needed"
            )
        signed = await relay.each(agreeing, "sign-key", {})
    key, *shares = (hex_point(p) for p in agreed)
    epoch = gatekeepers.epoch()
    domain = gatekeepers.domain()
    signatures = valid_key_signatures(signed.values(), domain, epoch, key, shares, members=members)
    if len(signatures) < t:
        raise CeremonyError("no quorum", f"only {len(signatures)} valid key signatures, {t} needed")
    transaction = publish_network_key(gatekeepers, key, shares, signatures)
    return DkgResult(epoch, key, tuple(shares), tuple(s.signer for s in signatures), transaction)


def run_dkg(urls: Sequence[str], network: Network, **options: Any) -> DkgResult:
    """:func:`run_dkg_async` for synchronous callers."""
    return asyncio.run(run_dkg_async(urls, network, **options))
