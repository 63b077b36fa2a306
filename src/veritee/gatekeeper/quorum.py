"""Asking ``n`` gatekeepers at once and keeping the first ``t`` valid answers.

:func:`post_json` turns every way an HTTP call can fail into a :class:`Refusal` carrying that
gatekeeper's :class:`~veritee.gatekeeper.outcomes.GatekeeperOutcome` (down, or refused with its
status and reason); :func:`first_valid` runs one call per gatekeeper concurrently and stops as
soon as ``t`` have succeeded and passed their check, leaving the rest to finish unobserved.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

import httpx

from veritee.gatekeeper.outcomes import GatekeeperEndpoint, GatekeeperOutcome, OutcomeKind
from veritee.gatekeeper.transport import AiohttpTransport

__all__ = ["Refusal", "failure", "first_valid", "post_json"]

T = TypeVar("T")


class Refusal(Exception):
    """A gatekeeper's request ended without a usable answer; ``outcome`` says how."""

    def __init__(self, outcome: GatekeeperOutcome) -> None:
        super().__init__(str(outcome))
        self.outcome = outcome

    @classmethod
    def of(cls, endpoint: GatekeeperEndpoint, kind: OutcomeKind, reason: str) -> Refusal:
        """A refusal of ``kind`` by ``endpoint``."""
        return cls(GatekeeperOutcome(endpoint.index, endpoint.address, kind, reason))


def failure(endpoint: GatekeeperEndpoint, exc: BaseException) -> GatekeeperOutcome:
    """The outcome an exception from a call to ``endpoint`` stands for."""
    if isinstance(exc, Refusal):
        return exc.outcome
    reason = f"{type(exc).__name__}: {exc}"
    return GatekeeperOutcome(endpoint.index, endpoint.address, OutcomeKind.BAD_ANSWER, reason)


async def post_json(
    http: httpx.AsyncClient | AiohttpTransport,
    endpoint: GatekeeperEndpoint,
    path: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    timeout: float | None = None,
) -> dict[str, Any]:
    """POST ``body`` to ``endpoint``; the JSON object of a 200 answer, else :class:`Refusal`.

    ``http`` is an httpx client, or an :class:`AiohttpTransport` used directly (its
    :meth:`~AiohttpTransport.post`, with ``timeout``), which fails the same ways.
    """
    url = endpoint.url.rstrip("/") + path
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    try:
        if isinstance(http, AiohttpTransport):
            status, phrase, content = await http.post(url, body, all_headers, timeout)
        else:
            response = await http.post(url, content=body, headers=all_headers)
            status, phrase, content = response.status_code, response.reason_phrase, response.content
    except httpx.HTTPError as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise Refusal.of(endpoint, OutcomeKind.DOWN, reason) from exc
    try:
        document = json.loads(content)
    except ValueError:  # UnicodeDecodeError included
        document = None
    if status != 200 or not isinstance(document, dict):
        said = document.get("reason") if isinstance(document, dict) else None
        reason = str(said or phrase)
        raise Refusal(GatekeeperOutcome.refused(endpoint, status, reason))
    return document


def _settle(task: asyncio.Task[Any]) -> None:
    """Retrieve a finished background task's outcome, so asyncio never reports it as lost."""
    if not task.cancelled():
        task.exception()


async def first_valid(
    calls: Mapping[GatekeeperEndpoint, Coroutine[Any, Any, T]],
    threshold: int,
    *,
    check: Callable[[GatekeeperEndpoint, T], None] | None = None,
    wait_for_all: bool = False,
    background: set[asyncio.Task[Any]] | None = None,
) -> tuple[dict[int, T], dict[int, GatekeeperOutcome]]:
    """Run every call at once; return the valid results (by index) and every outcome.

    Each result is passed to ``check`` (which raises :class:`Refusal` for a bad one) as it
    arrives, until ``threshold`` are valid; then collection stops (unless ``wait_for_all``) and
    the gatekeepers not heard from, or heard from too late, are marked "not needed". Their
    calls are left to finish in ``background`` (so their connections stay reusable) or, without
    one, cancelled.
    """
    tasks = {asyncio.ensure_future(call): endpoint for endpoint, call in calls.items()}
    results: dict[int, T] = {}
    outcomes: dict[int, GatekeeperOutcome] = {}
    pending = set(tasks)
    finished = False
    try:
        while pending and (wait_for_all or len(results) < threshold):
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(done, key=lambda t: tasks[t].index):
                endpoint = tasks[task]
                if not wait_for_all and len(results) >= threshold:
                    _settle(task)
                    outcomes[endpoint.index] = _not_needed(endpoint)
                    continue
                try:
                    result = task.result()
                    if check is not None:
                        check(endpoint, result)
                except Exception as exc:  # every failure becomes that gatekeeper's outcome
                    outcomes[endpoint.index] = failure(endpoint, exc)
                    continue
                results[endpoint.index] = result
                outcomes[endpoint.index] = GatekeeperOutcome(
                    endpoint.index, endpoint.address, OutcomeKind.VALID
                )
        finished = True
    finally:
        for task in pending:
            outcomes[tasks[task].index] = _not_needed(tasks[task])
            if finished and background is not None:
                background.add(task)
                task.add_done_callback(background.discard)
                task.add_done_callback(_settle)
            else:
                task.cancel()
        if pending and not (finished and background is not None):
            await asyncio.gather(*pending, return_exceptions=True)
    return results, outcomes


def _not_needed(endpoint: GatekeeperEndpoint) -> GatekeeperOutcome:
    return GatekeeperOutcome(endpoint.index, endpoint.address, OutcomeKind.NOT_NEEDED)
