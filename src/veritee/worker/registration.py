"""Putting a certified enclave on-chain: register it, or renew it and bring its terms up to date.

:func:`plan_registration` decides, from the chain's record of the enclave (pure, no I/O), what
the operator must send: a fresh enclave registers (approving its bond first); a known one renews
its certificate (when the new one expires later) and re-announces what changed (endpoint,
price, models). :func:`apply_registration` sends it, as the operator.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from eth_utils import to_canonical_address

from veritee.chain.clients import Network, WorkerInfo
from veritee.chain.types import WorkerStatus
from veritee.exceptions import ConfigError
from veritee.gatekeeper.outcomes import CertificateBundle

__all__ = ["RegistrationPlan", "apply_registration", "plan_registration"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegistrationPlan:
    """What to send: a registration, or a renewal and the terms that changed."""

    register: bool = False
    renew: bool = False
    endpoint: str | None = None
    price: int | None = None
    models: tuple[int, ...] | None = None

    @property
    def empty(self) -> bool:
        return not (self.register or self.renew) and (
            self.endpoint is None and self.price is None and self.models is None
        )


def plan_registration(
    existing: WorkerInfo | None,
    bundle: CertificateBundle,
    *,
    operator: str,
    endpoint: str,
    price: int,
    models: Sequence[int],
) -> RegistrationPlan:
    """What the operator must send so that the chain lists this enclave as configured.

    Raises :class:`ConfigError` when the enclave is registered to another operator or has
    withdrawn (a withdrawn enclave cannot come back: start a new identity).
    """
    if existing is None or existing.status is WorkerStatus.UNKNOWN:
        return RegistrationPlan(register=True)
    if to_canonical_address(existing.operator) != to_canonical_address(operator):
        raise ConfigError(
            f"enclave {existing.enclave} is registered to operator {existing.operator}, "
            f"not to the configured operator {operator}"
        )
    if existing.status is WorkerStatus.WITHDRAWN:
        raise ConfigError(
            f"enclave {existing.enclave} has withdrawn its bond and cannot serve again: move the "
            "sealed state away to start a new worker identity"
        )
    wanted = tuple(models)
    return RegistrationPlan(
        renew=bundle.certificate.expiry > existing.expiry,
        endpoint=endpoint if existing.endpoint != endpoint else None,
        price=price if existing.price != price else None,
        models=wanted if tuple(existing.models) != wanted else None,
    )


def apply_registration(
    network: Network,
    plan: RegistrationPlan,
    bundle: CertificateBundle,
    *,
    endpoint: str,
    price: int,
    models: Sequence[int],
    bond: int | None,
) -> None:
    """Send ``plan`` as the operator (``network``'s sender). ``bond`` None: the minimum."""
    workers = network.workers
    enclave = bundle.certificate.enclave
    signatures = list(bundle.signatures)
    if plan.register:
        amount = workers.min_bond() if bond is None else bond
        if amount > 0:
            network.token.approve(workers.address, amount)
        workers.register(bundle.certificate, signatures, endpoint, price, list(models), amount)
        _log.info("registered enclave %s at %s with bond %d", enclave, endpoint, amount)
        return
    if plan.renew:
        workers.renew(bundle.certificate, signatures)
        _log.info("renewed enclave %s until %d", enclave, bundle.certificate.expiry)
    if plan.endpoint is not None:
        workers.set_endpoint(enclave, plan.endpoint)
        _log.info("enclave %s now announced at %s", enclave, plan.endpoint)
    if plan.price is not None:
        workers.set_price(enclave, plan.price)
    if plan.models is not None:
        workers.set_models(enclave, list(plan.models))
