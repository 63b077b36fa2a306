"""The job result document (version 1): building, encoding and checking it.

Success: ``{"v": 1, "job_id": N, "task": "predict" | "aggregate", "outputs": {...}}``;
failure: ``{"v": 1, "job_id": N, "error": {"code": C, "reason": "..."}}``. A ``predict``
output is nested lists, or a base64 tensor object (:mod:`.tensors`) when the request asked for
``"output_encoding": "base64"``. Documents are
encoded as canonical compact JSON (sorted keys, no spaces, UTF-8), so the same result always
gives the same bytes and the same ``result_hash``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from veritee.exceptions import JobError
from veritee.models.failures import MAX_REASON_CHARS
from veritee.models.job_input import MAX_DOCUMENT_BYTES, TASKS, decode_json
from veritee.models.tensors import (
    MAX_OUTPUT_NUMBERS,
    MAX_TENSOR_RANK,
    TensorFormatError,
    decode_tensor_object,
)

__all__ = ["decode_result", "encode_document", "failure_document"]

_MAX_UINT256 = 2**256 - 1
_SUCCESS_FIELDS = {"v", "job_id", "task", "outputs"}
_FAILURE_FIELDS = {"v", "job_id", "error"}


def _check_job_id(job_id: object) -> int:
    if type(job_id) is not int or not 0 <= job_id <= _MAX_UINT256:
        raise JobError(f"job_id must be a uint256 integer, got {job_id!r}")
    return job_id


def _check_code(code: object) -> int:
    # FailureCode values, and room for later ones: the on-chain status is a non-zero uint8.
    if isinstance(code, bool) or not isinstance(code, int) or not 1 <= code <= 255:
        raise JobError(f"a failure code must be an integer in 1..255, got {code!r}")
    return int(code)


def failure_document(job_id: int, code: int, reason: str) -> dict[str, Any]:
    """``{"v": 1, "job_id": job_id, "error": {"code": code, "reason": reason}}``.

    ``code`` is a :class:`~veritee.models.failures.FailureCode` (any integer in 1..255 is
    accepted); ``reason`` is cut to :data:`~veritee.models.failures.MAX_REASON_CHARS`.
    """
    if not isinstance(reason, str):
        raise JobError(f"a failure reason must be a string, got {type(reason).__name__}")
    return {
        "v": 1,
        "job_id": _check_job_id(job_id),
        "error": {"code": _check_code(code), "reason": reason[:MAX_REASON_CHARS]},
    }


def encode_document(document: Mapping[str, Any]) -> bytes:
    """``document`` as canonical compact JSON in UTF-8: sorted keys, no whitespace.

    Raises :class:`~veritee.exceptions.JobError` for a value JSON cannot hold (``NaN``, an
    infinity, a NumPy scalar, bytes).
    """
    try:
        text = json.dumps(
            document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise JobError(f"document cannot be encoded as JSON: {exc}") from exc
    return text.encode("utf-8")


def decode_result(plaintext: bytes) -> dict[str, Any]:
    """The version-1 result document in the decrypted ``plaintext``, checked.

    Raises :class:`~veritee.exceptions.JobError` naming the problem when it is not UTF-8 JSON,
    not version 1, or not exactly one of the success and failure shapes, or a ``predict``
    output in the object form is not a well-formed tensor (known dtype, shape matching its
    base64 data, finite floats, at most :data:`~veritee.models.tensors.MAX_OUTPUT_NUMBERS`
    numbers in all). Outputs are returned as the document writes them; turn one into an ndarray
    with :func:`~veritee.models.tensors.decode_tensor`. A failure document is returned, not
    raised: the caller decides (the SDK raises ``JobFailed``).
    """
    if len(plaintext) > MAX_DOCUMENT_BYTES:
        raise JobError(f"malformed result document: larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        document = decode_json(plaintext)
    except (UnicodeDecodeError, ValueError) as exc:
        raise JobError(f"malformed result document: not UTF-8 JSON ({exc})") from None
    try:
        _check_result(document)
    except JobError as exc:
        raise JobError(f"malformed result document: {exc}") from None
    result: dict[str, Any] = document
    return result


def _check_result(document: object) -> None:
    if not isinstance(document, dict):
        raise JobError("not a JSON object")
    if type(document.get("v")) is not int or document["v"] != 1:
        raise JobError(f"unsupported version {document.get('v')!r} (supported: 1)")
    _check_job_id(document.get("job_id"))
    fields = set(document)
    if "error" in document:
        if fields != _FAILURE_FIELDS:
            raise JobError(f"a failure has exactly the fields {sorted(_FAILURE_FIELDS)}")
        error = document["error"]
        if not isinstance(error, dict) or set(error) != {"code", "reason"}:
            raise JobError("'error' must be an object with exactly 'code' and 'reason'")
        _check_code(error["code"])
        if not isinstance(error["reason"], str):
            raise JobError("the error reason must be a string")
        return
    if fields != _SUCCESS_FIELDS:
        raise JobError(f"a success has exactly the fields {sorted(_SUCCESS_FIELDS)}")
    task, outputs = document["task"], document["outputs"]
    if task not in TASKS:
        raise JobError(f"unknown task {task!r} (supported: {', '.join(TASKS)})")
    if not isinstance(outputs, dict):
        raise JobError("'outputs' must be an object")
    if task == "aggregate" and (
        not isinstance(outputs.get("capsules"), list)
        or not isinstance(outputs.get("overall"), dict)
    ):
        raise JobError("aggregate outputs need a 'capsules' list and an 'overall' object")
    if task == "predict":
        _check_tensor_objects(outputs)


def _check_tensor_objects(outputs: dict[str, Any]) -> None:
    """Every ``predict`` output in the object form decodes; nested lists are left as they are."""
    budget = MAX_OUTPUT_NUMBERS
    for name, value in outputs.items():
        if not isinstance(value, dict):
            continue
        try:
            array = decode_tensor_object(
                value,
                what=f"output {name!r}",
                max_rank=MAX_TENSOR_RANK,
                max_numbers=MAX_OUTPUT_NUMBERS,
                budget=budget,
            )
        except TensorFormatError as exc:
            if exc.kind == "budget":
                raise JobError(f"outputs hold more than {MAX_OUTPUT_NUMBERS} numbers") from None
            raise JobError(exc.reason) from None
        budget -= array.size
