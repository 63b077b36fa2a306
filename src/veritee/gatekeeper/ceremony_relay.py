"""The untrusted relay's plumbing, shared by the DKG and the resharing orchestrators.

:class:`CeremonyRelay` posts one step of a ceremony to many gatekeepers at once (to
``{url}/v1/{route}/{step}``: ``dkg`` or ``reshare``) and remembers every failure, so that an
error can name each gatekeeper that failed and why. At the end both ceremonies collect the
gatekeepers' :class:`~veritee.gatekeeper.node_ceremony.NetworkKeySignature`\\ s over the key
most of them agreed on; :func:`valid_key_signatures` keeps those a member made over exactly
that ``NetworkKey(epoch, S, shares)``, and :func:`publish_network_key` submits them to
``Gatekeepers.publish_key``. How many gatekeepers must answer each step, and how many
signatures are submitted, is each orchestrator's own.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import httpx

from veritee.chain.clients import GatekeepersClient
from veritee.crypto.secp256k1 import Point
from veritee.crypto.typed_data import Domain, network_key_digest, recover_digest
from veritee.exceptions import CeremonyError, SignatureError
from veritee.gatekeeper.node_ceremony import NetworkKeySignature

__all__ = [
    "Answers",
    "CeremonyRelay",
    "hex_point",
    "publish_network_key",
    "valid_key_signatures",
]

#: Each gatekeeper's answer to a step, by URL.
Answers = dict[str, dict[str, Any]]


class CeremonyRelay:
    """Posts the steps of one ceremony (``route``: ``dkg`` or ``reshare``) over ``http``."""

    def __init__(self, http: httpx.AsyncClient, route: str) -> None:
        self.http, self.route = http, route
        self.failures: list[str] = []

    async def post(self, url: str, step: str, document: dict[str, Any]) -> dict[str, Any]:
        """One gatekeeper's answer to ``step``; raises :class:`CeremonyError` if none."""
        try:
            response = await self.http.post(
                f"{url}/v1/{self.route}/{step}", content=json.dumps(document)
            )
        except httpx.HTTPError as exc:
            raise CeremonyError("gatekeeper unreachable", f"{url} ({step}): {exc!r}") from exc
        answer = response.json() if response.content else {}
        if response.status_code != 200:
            reason = answer.get("detail") or answer.get("reason") or response.reason_phrase
            raise CeremonyError("gatekeeper refused", f"{url} refused {step}: {reason}")
        return dict(answer)

    async def each(
        self,
        urls: Sequence[str],
        step: str,
        document: dict[str, Any],
        needed: Collection[str] = (),
    ) -> Answers:
        """Post to every url; fails if one of ``needed`` fails, naming every failure so far."""
        results = await asyncio.gather(
            *(self.post(url, step, document) for url in urls), return_exceptions=True
        )
        answers = {u: r for u, r in zip(urls, results, strict=True) if isinstance(r, dict)}
        self.failures += [str(r) for r in results if isinstance(r, BaseException)]
        if set(needed) - set(answers):
            raise CeremonyError("step failed", f"{step}: " + "; ".join(self.failures))
        return answers

    def fail(self, reason: str, detail: str) -> CeremonyError:
        """An error whose ``detail`` goes on to name every failure so far."""
        if self.failures:
            detail += " (" + "; ".join(self.failures) + ")"
        return CeremonyError(reason, detail)


def hex_point(value: str) -> Point:
    """A point as the gatekeepers answer it: compressed, ``0x`` hex."""
    return Point.from_bytes(bytes.fromhex(value.removeprefix("0x")))


def valid_key_signatures(
    answers: Iterable[Mapping[str, Any]],
    domain: Domain,
    epoch: int,
    key: Point,
    shares: Sequence[Point],
    *,
    members: Collection[str],
) -> list[NetworkKeySignature]:
    """The signatures among ``answers`` that ``members`` made over ``NetworkKey(epoch, key,
    shares)``, ascending by signer as ``publish_key`` wants them."""
    digest = network_key_digest(domain, epoch, key.xy, [p.xy for p in shares])
    signatures = []
    for answer in answers:
        signature = NetworkKeySignature.from_json(answer)
        try:
            signer = recover_digest(digest, signature.signature)
        except SignatureError:
            continue  # a signature over anything else is useless, not fatal
        if signer == signature.signer and signer in members:
            signatures.append(signature)
    return sorted(signatures, key=lambda s: int(s.signer, 16))


def publish_network_key(
    gatekeepers: GatekeepersClient,
    key: Point,
    shares: Sequence[Point],
    signatures: Sequence[NetworkKeySignature],
) -> str:
    """Submit ``Gatekeepers.publish_key`` with ``signatures``; the transaction hash."""
    receipt = gatekeepers.publish_key(
        key.xy, [p.xy for p in shares], [s.signature for s in signatures]
    )
    return receipt["transactionHash"].to_0x_hex()
