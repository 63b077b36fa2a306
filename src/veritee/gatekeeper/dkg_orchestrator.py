"""Relaying a DKG among the gatekeepers and publishing the resulting network key on-chain.

The orchestrator is an untrusted relay: it moves signed messages between the gatekeepers'
``/v1/dkg/*`` endpoints and can read nothing (shares travel sealed to each recipient's X25519
key) and forge nothing (every message is signed by its sender and checked against the on-chain
member list). It may drop messages, which the gatekeepers detect through their signed views.
Finally it collects the gatekeepers' signatures over ``NetworkKey(epoch, S, shares)`` and submits
``Gatekeepers.publish_key`` with at least ``t`` of them, ordered by signer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from veritee.chain.clients import Network
from veritee.crypto.secp256k1 import Point
from veritee.crypto.typed_data import network_key_digest, recover_digest
from veritee.exceptions import CeremonyError, SignatureError
from veritee.gatekeeper.node_dkg import NetworkKeySignature

__all__ = ["DkgResult", "run_dkg", "run_dkg_async"]


@dataclass(frozen=True)
class DkgResult:
    """The published network key and who signed its publication."""

    epoch: int
    public_key: Point
    public_shares: tuple[Point, ...]
    signers: tuple[str, ...]
    transaction_hash: str


class _Relay:
    def __init__(self, http: httpx.AsyncClient, urls: Sequence[str]) -> None:
        self.http, self.urls = http, [u.rstrip("/") for u in urls]

    async def post(self, url: str, step: str, document: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self.http.post(f"{url}/v1/dkg/{step}", content=json.dumps(document))
        except httpx.HTTPError as exc:
            raise CeremonyError("gatekeeper unreachable", f"{url} ({step}): {exc!r}") from exc
        answer = response.json() if response.content else {}
        if response.status_code != 200:
            reason = answer.get("detail") or answer.get("reason") or response.reason_phrase
            raise CeremonyError("gatekeeper refused", f"{url} refused {step}: {reason}")
        return dict(answer)

    async def each(
        self, urls: Sequence[str], step: str, document: dict[str, Any], *, all_needed: bool
    ) -> dict[str, dict[str, Any]]:
        results = await asyncio.gather(
            *(self.post(url, step, document) for url in urls), return_exceptions=True
        )
        answers = {u: r for u, r in zip(urls, results, strict=True) if isinstance(r, dict)}
        failures = [str(r) for r in results if isinstance(r, BaseException)]
        if failures and all_needed:
            raise CeremonyError("step failed", f"{step}: " + "; ".join(failures))
        return answers


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
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as http:
        relay = _Relay(http, urls)
        started = await relay.each(relay.urls, "start", {}, all_needed=True)
        announcements = [a["announcement"] for a in started.values()]
        dealt = await relay.each(
            relay.urls, "deals", {"announcements": announcements}, all_needed=False
        )
        deals = [a["deal"] for a in dealt.values()]
        judged = await relay.each(list(dealt), "complaints", {"deals": deals}, all_needed=False)
        complaints = [c for a in judged.values() for c in a["complaints"]]
        document = {"complaints": complaints, "views": [a["view"] for a in judged.values()]}
        answered = await relay.each(list(judged), "reveals", document, all_needed=False)
        reveals = [r for a in answered.values() for r in a["reveals"]]
        document = {"reveals": reveals, "views": [a["view"] for a in answered.values()]}
        finished = await relay.each(list(answered), "finalize", document, all_needed=False)
        keys: dict[tuple[str, ...], list[str]] = {}
        for url, answer in finished.items():
            keys.setdefault((answer["public_key"], *answer["public_shares"]), []).append(url)
        agreed, agreeing = max(keys.items(), key=lambda item: len(item[1]), default=((), []))
        if len(agreeing) < t:
            raise CeremonyError(
                "no quorum", f"only {len(agreeing)} gatekeepers agree on a key, {t} needed"
            )
        signed = await relay.each(agreeing, "sign-key", {}, all_needed=False)
    key, *shares = (Point.from_bytes(bytes.fromhex(p.removeprefix("0x"))) for p in agreed)
    epoch = gatekeepers.epoch()
    digest = network_key_digest(gatekeepers.domain(), epoch, key.xy, [p.xy for p in shares])
    signatures = []
    for answer in signed.values():
        signature = NetworkKeySignature.from_json(answer)
        try:
            signer = recover_digest(digest, signature.signature)
        except SignatureError:
            continue  # a signature over anything else is useless, not fatal
        if signer == signature.signer and signer in members:
            signatures.append(signature)
    signatures.sort(key=lambda s: int(s.signer, 16))
    if len(signatures) < t:
        raise CeremonyError("no quorum", f"only {len(signatures)} valid key signatures, {t} needed")
    receipt = gatekeepers.publish_key(
        key.xy, [p.xy for p in shares], [s.signature for s in signatures]
    )
    return DkgResult(
        epoch,
        key,
        tuple(shares),
        tuple(s.signer for s in signatures),
        receipt["transactionHash"].to_0x_hex(),
    )


def run_dkg(urls: Sequence[str], network: Network, **options: Any) -> DkgResult:
    """:func:`run_dkg_async` for synchronous callers."""
    return asyncio.run(run_dkg_async(urls, network, **options))
