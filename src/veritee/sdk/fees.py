"""What a job costs, computed exactly as the Jobs contract computes it (pure, no I/O).

``Jobs._submit`` fixes a job's price at submission::

    subtotal     = model price + Σ capsule prices + worker price
    protocol_fee = subtotal * protocol_fee_bps // 10_000      (rounded down)
    price        = subtotal + protocol_fee

and escrows ``max_fee`` (which must be at least ``price``); a successful job pays ``price`` and
refunds ``max_fee - price``. A :class:`FeeQuote` holds that computation with every payee named,
so an SDK user can set ``max_fee`` to the exact price and a verifier can check the payments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["BPS", "CapsuleFee", "FeeQuote", "compute_price", "format_amount", "protocol_fee"]

#: Basis points in one whole (the contract's ``BPS``).
BPS = 10_000
#: The contract's ceiling on the protocol fee.
MAX_PROTOCOL_FEE_BPS = 2_000
_DECIMALS = 18


def format_amount(amount: int) -> str:
    """A token amount (smallest units) as exact VRT for people: ``47.25 VRT``, ``0 VRT``."""
    whole, fraction = divmod(abs(amount), 10**_DECIMALS)
    text = f"{whole:,}"
    if fraction:
        text += "." + f"{fraction:0{_DECIMALS}d}".rstrip("0")
    return f"{'-' if amount < 0 else ''}{text} VRT"


def protocol_fee(subtotal: int, bps: int) -> int:
    """The protocol fee on ``subtotal`` at ``bps`` basis points, rounded down like the contract."""
    if subtotal < 0:
        raise ValueError("subtotal must not be negative")
    if not 0 <= bps <= MAX_PROTOCOL_FEE_BPS:
        raise ValueError(f"protocol fee must be within 0..{MAX_PROTOCOL_FEE_BPS} basis points")
    return subtotal * bps // BPS


def compute_price(
    model_fee: int, capsule_fees: Sequence[int], worker_fee: int, bps: int
) -> tuple[int, int]:
    """``(protocol fee, price)`` of a job with these fees, as ``Jobs._submit`` computes them."""
    if min([model_fee, worker_fee, *capsule_fees]) < 0:
        raise ValueError("fees must not be negative")
    subtotal = model_fee + sum(capsule_fees) + worker_fee
    fee = protocol_fee(subtotal, bps)
    return fee, subtotal + fee


@dataclass(frozen=True)
class CapsuleFee:
    """One capsule's price per use and the owner it is paid to."""

    capsule_id: int
    owner: str
    fee: int

    def to_json(self) -> dict[str, Any]:
        return {"capsule_id": self.capsule_id, "owner": self.owner, "fee": self.fee}


@dataclass(frozen=True)
class FeeQuote:
    """The price of a job for one model, capsule set and worker, with every payee named."""

    model_id: int
    model_owner: str
    model_fee: int
    capsules: tuple[CapsuleFee, ...]
    worker: str
    operator: str
    worker_fee: int
    treasury: str
    protocol_fee_bps: int
    protocol_fee: int
    total: int

    @classmethod
    def compute(
        cls,
        *,
        model_id: int,
        model_owner: str,
        model_fee: int,
        capsules: Sequence[CapsuleFee],
        worker: str,
        operator: str,
        worker_fee: int,
        treasury: str,
        protocol_fee_bps: int,
    ) -> FeeQuote:
        """The quote for these prices: the protocol fee and total computed as the contract does."""
        fee, total = compute_price(
            model_fee, [c.fee for c in capsules], worker_fee, protocol_fee_bps
        )
        return cls(
            model_id=model_id,
            model_owner=model_owner,
            model_fee=model_fee,
            capsules=tuple(capsules),
            worker=worker,
            operator=operator,
            worker_fee=worker_fee,
            treasury=treasury,
            protocol_fee_bps=protocol_fee_bps,
            protocol_fee=fee,
            total=total,
        )

    @property
    def subtotal(self) -> int:
        """Model, capsule and worker fees, before the protocol fee."""
        return self.model_fee + sum(c.fee for c in self.capsules) + self.worker_fee

    def payees(self) -> list[tuple[str, str, int]]:
        """``(role, address, amount)`` of everyone a successful job pays."""
        rows = [("model owner", self.model_owner, self.model_fee)]
        rows += [(f"capsule {c.capsule_id} owner", c.owner, c.fee) for c in self.capsules]
        rows += [("worker operator", self.operator, self.worker_fee)]
        rows += [("treasury", self.treasury, self.protocol_fee)]
        return rows

    def to_json(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "worker": self.worker,
            "model_fee": self.model_fee,
            "capsule_fees": [c.to_json() for c in self.capsules],
            "worker_fee": self.worker_fee,
            "protocol_fee_bps": self.protocol_fee_bps,
            "protocol_fee": self.protocol_fee,
            "subtotal": self.subtotal,
            "total": self.total,
            "payees": [
                {"role": role, "address": address, "amount": amount}
                for role, address, amount in self.payees()
            ],
        }
