"""choose_worker: cheapest, then least loaded, then lowest enclave address; status parsing."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from veritee.chain.types import TeeKind
from veritee.exceptions import JobError
from veritee.sdk import WorkerCandidate, WorkerLoad, choose_worker, parse_worker_status


def _candidate(
    byte: int, price: int = 10, load: WorkerLoad | None = None, excluded: str | None = None
) -> WorkerCandidate:
    return WorkerCandidate(
        enclave="0x" + f"{byte:02x}" * 20,
        operator="0x" + "ee" * 20,
        endpoint=f"http://w{byte}",
        price=price,
        tee_kind=TeeKind.SIMULATED,
        measurement=b"\x01" * 32,
        x25519_key=b"\x02" * 32,
        expiry=2_000_000_000,
        load=load,
        excluded=excluded,
    )


def test_cheapest_wins_whatever_its_load() -> None:
    busy_cheap = _candidate(9, price=5, load=WorkerLoad(1, 10, 1))
    idle_dear = _candidate(1, price=6, load=WorkerLoad(8, 0, 0))
    assert choose_worker([idle_dear, busy_cheap]) is busy_cheap


def test_equal_price_goes_to_the_least_loaded() -> None:
    half = _candidate(1, load=WorkerLoad(4, 1, 1))
    quarter = _candidate(2, load=WorkerLoad(8, 1, 1))
    assert choose_worker([half, quarter]) is quarter


def test_known_load_beats_unknown_load() -> None:
    unknown = _candidate(1)
    known = _candidate(2, load=WorkerLoad(2, 1, 1))
    assert choose_worker([unknown, known]) is known


def test_ties_go_to_the_lowest_enclave_address_in_any_order() -> None:
    a, b, c = _candidate(0xA0), _candidate(0x0B), _candidate(0xC0)
    for order in ([a, b, c], [c, b, a], [b, c, a]):
        assert choose_worker(order) is b


def test_excluded_workers_are_never_chosen() -> None:
    cheap_but_down = _candidate(1, price=1, excluded="status unreachable")
    assert choose_worker([cheap_but_down, _candidate(2, price=9)]).enclave.endswith("02" * 2)


def test_no_candidates_is_a_clear_error() -> None:
    with pytest.raises(JobError, match="no certified, active worker serves model 7"):
        choose_worker([], model_id=7)


def test_all_excluded_names_each_reason() -> None:
    down = _candidate(1, excluded="status unreachable at http://w1/v1/status")
    other = _candidate(2, excluded="endpoint answers for another enclave")
    with pytest.raises(JobError) as caught:
        choose_worker([down, other], model_id=3)
    message = str(caught.value)
    assert "model 3" in message
    assert "unreachable at http://w1" in message and "another enclave" in message


def test_load_ratio_and_zero_capacity() -> None:
    assert WorkerLoad(4, 1, 2).ratio == Fraction(3, 4)
    assert WorkerLoad(0, 0, 0).ratio == WorkerLoad(1, 1, 0).ratio == 1  # no capacity: full
    assert WorkerLoad(0, 2, 0).ratio > WorkerLoad(4, 2, 0).ratio


def test_parse_worker_status_in_every_shape() -> None:
    worker = {  # what veritee.worker answers
        "enclave": "0x" + "ab" * 20,
        "accepting": True,
        "capacity": {"max_concurrent": 4, "running": 1, "waiting": 2},
        "jobs": {"queued": 2, "running": 1, "ready": 0, "leased": 0, "settled": 9, "failed": 1},
    }
    flat = {"capacity": 4, "queued": 2, "running": 1, "settled": 9}
    nested = {"capacity": 4, "counts": {"queued": 2, "running": 1, "ready": 3}}
    assert parse_worker_status(worker) == WorkerLoad(4, 2, 1)
    assert parse_worker_status(flat) == parse_worker_status(nested) == WorkerLoad(4, 2, 1)
    assert parse_worker_status({"capacity": 2}) == WorkerLoad(2, 0, 0)


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"capacity": -1},
        {"capacity": True},
        {"capacity": 2, "queued": "3"},
        {"capacity": 2, "counts": []},
    ],
)
def test_parse_worker_status_rejects_malformed(document: dict[str, object]) -> None:
    with pytest.raises(JobError, match="worker status"):
        parse_worker_status(document)


def test_candidate_json_shows_load_and_exclusion() -> None:
    candidate = replace(_candidate(1, load=WorkerLoad(4, 1, 1)), excluded=None)
    document = candidate.to_json()
    assert document["load"] == {"capacity": 4, "queued": 1, "running": 1, "load": 0.5}
    assert document["tee_kind"] == "simulated" and document["excluded"] is None
    assert _candidate(2, excluded="down").to_json()["excluded"] == "down"
