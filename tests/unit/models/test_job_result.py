"""failure_document, encode_document and decode_result."""

from __future__ import annotations

import json
from typing import Any

import pytest

from veritee.exceptions import JobError
from veritee.models.tasks import (
    FailureCode,
    decode_result,
    encode_document,
    failure_document,
)

SUCCESS = {"v": 1, "job_id": 7, "task": "predict", "outputs": {"y": [[0.5]]}}
AGGREGATE = {
    "v": 1,
    "job_id": 8,
    "task": "aggregate",
    "outputs": {"capsules": [], "overall": {"rows": 0}},
}


def test_failure_document() -> None:
    document = failure_document(3, FailureCode.MODEL_FAILED, "model failed")
    assert document == {"v": 1, "job_id": 3, "error": {"code": 5, "reason": "model failed"}}
    assert type(document["error"]["code"]) is int
    assert failure_document(1, 6, "x" * 5000)["error"]["reason"] == "x" * 1000
    assert decode_result(encode_document(document)) == document


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 1, "r"), "job_id must be a uint256"),
        ((True, 1, "r"), "job_id must be a uint256"),
        ((2**256, 1, "r"), "job_id must be a uint256"),
        ((1, 0, "r"), r"failure code must be an integer in 1\.\.255, got 0"),
        ((1, 256, "r"), "failure code must be"),
        ((1, 1, b"r"), "reason must be a string"),
    ],
)
def test_failure_document_checks(args: tuple[Any, Any, Any], message: str) -> None:
    with pytest.raises(JobError, match=message):
        failure_document(*args)


def test_encoding_is_canonical_compact_utf8() -> None:
    document = {"b": [1, 2.5], "a": {"z": "ü", "y": None}}
    assert encode_document(document) == '{"a":{"y":null,"z":"ü"},"b":[1,2.5]}'.encode()
    assert encode_document(dict(reversed(document.items()))) == encode_document(document)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), b"bytes", {1, 2}])
def test_encoding_refuses_what_json_cannot_hold(value: object) -> None:
    with pytest.raises(JobError, match="cannot be encoded as JSON"):
        encode_document({"x": value})


def test_decode_round_trips() -> None:
    for document in (SUCCESS, AGGREGATE):
        assert decode_result(encode_document(document)) == document


def _variant(base: dict[str, Any], **changes: object) -> bytes:
    document = {**base, **changes}
    return json.dumps({k: v for k, v in document.items() if v is not ...}).encode()


@pytest.mark.parametrize(
    ("plaintext", "message"),
    [
        (b"\x80", "not UTF-8 JSON"),
        (b"{", "not UTF-8 JSON"),
        (b"[" * 50 + b"]" * 50, "nested deeper"),
        (b"[]", "not a JSON object"),
        (_variant(SUCCESS, v=2), "unsupported version 2"),
        (_variant(SUCCESS, v=...), "unsupported version None"),
        (_variant(SUCCESS, job_id="7"), "job_id must be a uint256"),
        (_variant(SUCCESS, job_id=...), "job_id must be a uint256"),
        (_variant(SUCCESS, extra=1), "a success has exactly the fields"),
        (_variant(SUCCESS, outputs=...), "a success has exactly the fields"),
        (_variant(SUCCESS, task="train"), "unknown task 'train'"),
        (_variant(SUCCESS, outputs=[1]), "'outputs' must be an object"),
        (_variant(AGGREGATE, outputs={"overall": {}}), "need a 'capsules' list"),
        (_variant(SUCCESS, error={"code": 1, "reason": "r"}), "a failure has exactly"),
        (
            _variant(SUCCESS, task=..., outputs=..., error={"code": 1}),
            "exactly 'code' and 'reason'",
        ),
        (_variant(SUCCESS, task=..., outputs=..., error={"code": 0, "reason": "r"}), "code"),
        (_variant(SUCCESS, task=..., outputs=..., error={"code": 1, "reason": 2}), "string"),
    ],
)
def test_decode_refuses_malformed(plaintext: bytes, message: str) -> None:
    with pytest.raises(JobError, match=f"malformed result document: .*{message}"):
        decode_result(plaintext)
