"""Fee computation, against Jobs._submit's arithmetic worked by hand on plain numbers.

The contract: subtotal = model + Σ capsules + worker; protocol_fee = subtotal * bps // 10_000;
price = subtotal + protocol_fee. (tests/integration/test_sdk.py checks a quote against the price
the deployed contract fixed.)
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veritee.sdk import CapsuleFee, FeeQuote, compute_price, format_amount, protocol_fee

TOKEN = 10**18


@pytest.mark.parametrize(
    ("model", "capsules", "worker", "bps", "expected"),
    [
        (
            20 * TOKEN,
            [15 * TOKEN],
            10 * TOKEN,
            500,
            (2_250_000_000_000_000_000, 47_250_000_000_000_000_000),
        ),
        (0, [], 0, 2_000, (0, 0)),
        (3_333, [], 0, 500, (166, 3_499)),  # 166.65 rounds down, as in the contract
        (1, [1, 1], 1, 2_000, (0, 4)),  # 0.8 rounds down to nothing
        (9_999, [], 1, 1, (1, 10_001)),
        (7, [3, 5], 5, 0, (0, 20)),
    ],
)
def test_price_matches_the_contract(
    model: int, capsules: list[int], worker: int, bps: int, expected: tuple[int, int]
) -> None:
    assert compute_price(model, capsules, worker, bps) == expected


@given(
    st.integers(0, 2**96 - 1),
    st.lists(st.integers(0, 2**96 - 1), max_size=8),
    st.integers(0, 2**96 - 1),
    st.integers(0, 2_000),
)
def test_price_is_subtotal_plus_floor_of_bps(
    model: int, capsules: list[int], worker: int, bps: int
) -> None:
    fee, price = compute_price(model, capsules, worker, bps)
    subtotal = model + sum(capsules) + worker
    assert fee * 10_000 <= subtotal * bps < (fee + 1) * 10_000
    assert price == subtotal + fee


def test_out_of_range_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="basis points"):
        protocol_fee(100, 2_001)
    with pytest.raises(ValueError, match="negative"):
        compute_price(-1, [], 0, 0)


def test_fee_quote_names_every_payee() -> None:
    quote = FeeQuote.compute(
        model_id=1,
        model_owner="0xModel",
        model_fee=20 * TOKEN,
        capsules=[CapsuleFee(4, "0xData", 15 * TOKEN)],
        worker="0xEnclave",
        operator="0xOperator",
        worker_fee=10 * TOKEN,
        treasury="0xTreasury",
        protocol_fee_bps=500,
    )
    assert quote.subtotal == 45 * TOKEN and quote.total == 47_250_000_000_000_000_000
    assert quote.payees() == [
        ("model owner", "0xModel", 20 * TOKEN),
        ("capsule 4 owner", "0xData", 15 * TOKEN),
        ("worker operator", "0xOperator", 10 * TOKEN),
        ("treasury", "0xTreasury", 2_250_000_000_000_000_000),
    ]
    assert sum(amount for _, _, amount in quote.payees()) == quote.total
    document = quote.to_json()
    assert document["total"] == quote.total and len(document["payees"]) == 4


def test_format_amount_is_exact() -> None:
    assert format_amount(47_250_000_000_000_000_000) == "47.25 VRT"
    assert format_amount(0) == "0 VRT"
    assert format_amount(1) == "0.000000000000000001 VRT"
    assert format_amount(1_234 * TOKEN) == "1,234 VRT"
