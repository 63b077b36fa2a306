"""`Jobs.batch_digest`: the EIP-712 digest enclaves sign, checked against two encoders."""

from collections.abc import Sequence
from typing import Any

import boa
import pytest
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.contracts.conftest import System
from veritee.crypto.typed_data import JobResult, batch_digest

_RESULT_FIELDS = [
    {"name": "jobId", "type": "uint256"},
    {"name": "resultHash", "type": "bytes32"},
    {"name": "resultUri", "type": "string"},
    {"name": "status", "type": "uint8"},
]

_BATCHES: dict[str, list[JobResult]] = {
    "empty": [],
    "one": [JobResult(1, keccak(b"a"), "blob://a")],
    "empty_uri": [JobResult(7, keccak(b"b"), "", 3)],
    "long_uri": [JobResult(2**64, keccak(b"c"), "ipfs://" + "q" * 249)],
    "unicode_uri": [JobResult(3, keccak(b"d"), "blob://résultat/結果")],
    "extremes": [
        JobResult(2**256 - 1, b"\xff" * 32, "x", 255),
        JobResult(0, b"\x00" * 32, "", 0),
    ],
    "many": [JobResult(i, keccak(i.to_bytes(2, "big")), f"blob://{i}", i % 3) for i in range(128)],
}


def _domain_fields(system: System) -> dict[str, Any]:
    return {
        "name": "veritee Jobs",
        "version": "1",
        "chainId": boa.env.evm.patch.chain_id,
        "verifyingContract": system.jobs.address,
    }


def _eth_account_digest(system: System, worker: str, results: Sequence[JobResult]) -> bytes:
    message = encode_typed_data(
        full_message={
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "ResultBatch": [
                    {"name": "worker", "type": "address"},
                    {"name": "results", "type": "JobResult[]"},
                ],
                "JobResult": _RESULT_FIELDS,
            },
            "primaryType": "ResultBatch",
            "domain": _domain_fields(system),
            "message": {
                "worker": worker,
                "results": [
                    {
                        "jobId": r.job_id,
                        "resultHash": r.result_hash,
                        "resultUri": r.result_uri,
                        "status": r.status,
                    }
                    for r in results
                ],
            },
        }
    )
    return keccak(b"\x19" + message.version + message.header + message.body)


def _contract_digest(system: System, worker: str, results: Sequence[JobResult]) -> bytes:
    return bytes(system.jobs.batch_digest(worker, [r.as_tuple() for r in results]))


@pytest.mark.parametrize("batch", list(_BATCHES), ids=list(_BATCHES))
def test_default_behavior(system: System, batch: str) -> None:
    worker = system.actor("worker")
    results = _BATCHES[batch]
    expected = batch_digest(system.domain(system.jobs, "veritee Jobs"), worker, results)
    assert _contract_digest(system, worker, results) == expected
    assert _eth_account_digest(system, worker, results) == expected


def test_domain_matches_eip712_domain(system: System) -> None:
    domain = system.jobs.eip712Domain()
    assert domain[1:5] == (
        "veritee Jobs",
        "1",
        boa.env.evm.patch.chain_id,
        system.jobs.address,
    )


def test_digest_binds_worker_and_order(system: System) -> None:
    results = _BATCHES["extremes"]
    a, b = system.actor("worker-a"), system.actor("worker-b")
    assert _contract_digest(system, a, results) != _contract_digest(system, b, results)
    assert _contract_digest(system, a, results) != _contract_digest(system, a, results[::-1])


@settings(max_examples=25, deadline=None)
@given(
    results=st.lists(
        st.builds(
            JobResult,
            st.integers(0, 2**256 - 1),
            st.binary(min_size=32, max_size=32),
            st.text(max_size=64),
            st.integers(0, 255),
        ),
        max_size=5,
    )
)
def test_matches_eth_account(system: System, results: list[JobResult]) -> None:
    worker = system.actor("worker")
    assert _contract_digest(system, worker, results) == _eth_account_digest(system, worker, results)
