"""Relaying a resharing among the gatekeepers and publishing the new shares of the same key.

The flow the Gatekeepers contract allows: its owner first installs the new set and threshold
(``set_gatekeepers``: a new epoch, the network key ``S`` kept, its shares cleared); then the old
members holding shares deal them to the new set through this untrusted relay, exactly like the
DKG's (signed messages it can drop but not forge or read, views that expose unequal
broadcasts); finally ``t`` members of the new set sign ``NetworkKey(epoch, S, new shares)`` and
``publish_key`` stores the new public shares (the contract refuses any other ``S``).

Every new member must take part and at least the old ``t`` old members must hold their share
and deal honestly; otherwise the relay raises :class:`~veritee.exceptions.CeremonyError` naming
each gatekeeper that failed and why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from veritee.chain.clients import Network
from veritee.crypto.secp256k1 import Point
from veritee.gatekeeper.ceremony_relay import (
    CeremonyRelay,
    hex_point,
    publish_network_key,
    valid_key_signatures,
)
from veritee.gatekeeper.key_history import reshare_source

__all__ = ["ReshareResult", "run_reshare", "run_reshare_async"]


@dataclass(frozen=True)
class ReshareResult:
    """The new shares of the unchanged network key, as published in ``epoch``."""

    epoch: int
    source_epoch: int
    threshold: int
    public_key: Point
    public_shares: tuple[Point, ...]
    dealers: tuple[int, ...]  # the old indices whose deals were qualified
    signers: tuple[str, ...]
    transaction_hash: str


async def run_reshare_async(
    urls: Sequence[str],
    network: Network,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 60.0,
) -> ReshareResult:
    """Reshare the published key to the chain's current set, via the gatekeepers at ``urls``.

    ``urls`` must reach every member of the new set and the old members that deal (more do no
    harm). ``network`` must have a sender; any account may submit the publication. Raises
    :class:`CeremonyError` naming each failing gatekeeper and step.
    """
    gatekeepers = network.gatekeepers
    source = reshare_source(gatekeepers)
    epoch, t, members = gatekeepers.epoch(), gatekeepers.threshold(), gatekeepers.members()
    urls = [u.rstrip("/") for u in urls]
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as http:
        relay = CeremonyRelay(http, "reshare")
        started = await relay.each(urls, "start", {})
        receivers = {a["receiver"]: u for u, a in started.items() if a.get("receiver")}
        dealers = [u for u, a in started.items() if a.get("dealer")]
        missing = sorted(set(range(1, len(members) + 1)) - set(receivers))
        if missing:
            raise relay.fail(
                "missing new gatekeepers",
                f"every member of the new set must take part: new gatekeepers {missing} did not",
            )
        if len(dealers) < source.threshold:
            raise relay.fail(
                "too few old gatekeepers",
                f"only {len(dealers)} old gatekeepers hold a share of the key of epoch "
                f"{source.epoch}, {source.threshold} needed",
            )
        needed = list(receivers.values())
        announcements = [a["announcement"] for a in started.values() if a.get("announcement")]
        document: dict[str, Any] = {"announcements": announcements}
        dealt = await relay.each(list(started), "deals", document, needed)
        deals = [a["deal"] for a in dealt.values() if a.get("deal")]
        if len(deals) < source.threshold:
            raise relay.fail(
                "too few old gatekeepers",
                f"only {len(deals)} old gatekeepers dealt, {source.threshold} needed",
            )
        judged = await relay.each(needed, "complaints", {"deals": deals}, needed)
        complaints = [c for a in judged.values() for c in a["complaints"]]
        document = {"complaints": complaints, "views": [a["view"] for a in judged.values()]}
        answered = await relay.each(list(dealt), "reveals", document, needed)
        reveals = [r for a in answered.values() for r in a["reveals"]]
        views = [answered[u]["view"] for u in needed]
        finished = await relay.each(needed, "finalize", {"reveals": reveals, "views": views})
        outcomes: dict[tuple[Any, ...], list[str]] = {}
        for url, answer in finished.items():
            shares = (answer["public_key"], tuple(answer["public_shares"]))
            outcomes.setdefault((*shares, tuple(answer["dealers"])), []).append(url)
        agreed, agreeing = max(outcomes.items(), key=lambda item: len(item[1]), default=((), []))
        if len(agreeing) < t:
            raise relay.fail(
                "no quorum",
                f"only {len(agreeing)} new gatekeepers agree on their new shares, {t} needed",
            )
        signed = await relay.each(agreeing, "sign-key", {})
    key, new_shares = hex_point(agreed[0]), tuple(hex_point(p) for p in agreed[1])
    domain = gatekeepers.domain()
    signatures = valid_key_signatures(
        signed.values(), domain, epoch, key, new_shares, members=members
    )
    if len(signatures) < t:
        raise relay.fail("no quorum", f"only {len(signatures)} valid key signatures, {t} needed")
    signatures = signatures[:t]  # t, ascending by signer as the contract wants: more cost gas
    transaction = publish_network_key(gatekeepers, key, new_shares, signatures)
    return ReshareResult(
        epoch,
        source.epoch,
        t,
        key,
        new_shares,
        tuple(agreed[2]),
        tuple(s.signer for s in signatures),
        transaction,
    )


def run_reshare(urls: Sequence[str], network: Network, **options: Any) -> ReshareResult:
    """:func:`run_reshare_async` for synchronous callers."""
    return asyncio.run(run_reshare_async(urls, network, **options))
