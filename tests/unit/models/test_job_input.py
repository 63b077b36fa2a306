"""parse_request: both tasks accepted; each malformed variant refused with its code."""

from __future__ import annotations

import json

import numpy as np
import pytest

from veritee.exceptions import JobError
from veritee.models.tasks import FailureCode, TaskError, TaskRequest, parse_request


def _doc(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_predict() -> None:
    request = parse_request(_doc(v=1, task="predict", inputs={"x": [[1, 2.5], [3, -4]], "k": 7}))
    assert request.task == "predict" and request.features is None
    assert request.inputs is not None
    assert request.inputs["x"].dtype == np.float64
    np.testing.assert_array_equal(request.inputs["x"], [[1.0, 2.5], [3.0, -4.0]])
    assert request.inputs["k"].shape == ()
    assert parse_request(_doc(v=1, task="predict", inputs={"e": [[]]})).inputs["e"].shape == (1, 0)  # type: ignore[index]


def test_aggregate_with_and_without_defaults() -> None:
    assert parse_request(_doc(v=1, task="aggregate")) == TaskRequest(
        task="aggregate", inputs=None, threshold=0.5, bins=10, features=None
    )
    request = parse_request(
        _doc(v=1, task="aggregate", threshold=1, bins=100, features=["age", "bmi"])
    )
    assert (request.threshold, request.bins, request.features) == (1.0, 100, ("age", "bmi"))
    assert isinstance(request.threshold, float)


@pytest.mark.parametrize(
    ("plaintext", "message"),
    [
        (b"\xff\xfe", "not a UTF-8 JSON document"),
        (b"{not json", "not a UTF-8 JSON document"),
        (b'{"v": 1, "v": 1, "task": "aggregate"}', "duplicate key"),
        (b'{"v": 1, "task": "predict", "inputs": {"x": [NaN]}}', "NaN is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper than 32 levels"),
        (b'{"v":' * 33 + b"1" + b"}" * 33, "nested deeper than 32 levels"),
    ],
)
def test_unreadable(plaintext: bytes, message: str) -> None:
    with pytest.raises(TaskError, match=message) as info:
        parse_request(plaintext)
    assert info.value.code == FailureCode.INPUT_UNREADABLE and isinstance(info.value, JobError)


_BIG = [[0.0] * 1000] * 1001


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([1, 2], "must be a JSON object"),
        ({"task": "aggregate"}, "unsupported input document version None"),
        ({"v": 2, "task": "aggregate"}, "unsupported input document version 2"),
        ({"v": True, "task": "aggregate"}, "unsupported input document version True"),
        ({"v": 1.0, "task": "aggregate"}, "unsupported input document version 1.0"),
        ({"v": 1, "task": "train"}, r"unknown task 'train' \(supported: aggregate, predict\)"),
        ({"v": 1}, "unknown task None"),
        ({"v": 1, "task": "aggregate", "inputs": {}}, "unknown field.* 'aggregate': inputs"),
        ({"v": 1, "task": "predict", "inputs": {"x": [1]}, "bins": 3}, "unknown field.*bins"),
        ({"v": 1, "task": "aggregate", "threshold": 1.5}, r"threshold must be in \[0, 1\]"),
        ({"v": 1, "task": "aggregate", "threshold": -0.1}, r"threshold must be in \[0, 1\]"),
        ({"v": 1, "task": "aggregate", "threshold": "0.5"}, "threshold must be a number"),
        ({"v": 1, "task": "aggregate", "threshold": True}, "threshold must be a number"),
        ({"v": 1, "task": "aggregate", "bins": 0}, r"bins must be an integer in 1\.\.100"),
        ({"v": 1, "task": "aggregate", "bins": 101}, r"bins must be an integer in 1\.\.100"),
        ({"v": 1, "task": "aggregate", "bins": 10.0}, r"bins must be an integer"),
        ({"v": 1, "task": "aggregate", "features": []}, "features must be a list of 1"),
        ({"v": 1, "task": "aggregate", "features": "age"}, "features must be a list"),
        ({"v": 1, "task": "aggregate", "features": ["a", "a"]}, "must not repeat"),
        ({"v": 1, "task": "aggregate", "features": ["a", 3]}, "a feature name must be a string"),
        ({"v": 1, "task": "predict"}, "predict needs 'inputs'"),
        ({"v": 1, "task": "predict", "inputs": {}}, "inputs must be an object of 1"),
        ({"v": 1, "task": "predict", "inputs": [[1]]}, "inputs must be an object"),
        ({"v": 1, "task": "predict", "inputs": {"": [1]}}, "an input name must be a string"),
        ({"v": 1, "task": "predict", "inputs": {"x": [[1, 2], [3]]}}, "not a rectangular array"),
        ({"v": 1, "task": "predict", "inputs": {"x": [[1], 2]}}, "not a rectangular array"),
        ({"v": 1, "task": "predict", "inputs": {"x": [1, [2]]}}, "only numbers, found list"),
        ({"v": 1, "task": "predict", "inputs": {"x": [1, "2"]}}, "only numbers, found str"),
        ({"v": 1, "task": "predict", "inputs": {"x": [True]}}, "only numbers, found bool"),
        ({"v": 1, "task": "predict", "inputs": {"x": None}}, "only numbers, found NoneType"),
        ({"v": 1, "task": "predict", "inputs": {"x": [1e308 * 10]}}, "non-finite number"),
        ({"v": 1, "task": "predict", "inputs": {"x": [10**400]}}, "too large for float64"),
        ({"v": 1, "task": "predict", "inputs": {"x": [[[[[[[[[1]]]]]]]]]}}, "rank above 8"),
        ({"v": 1, "task": "predict", "inputs": {"x": _BIG}}, "more than 1000000 numbers"),
        (
            {"v": 1, "task": "predict", "inputs": {f"t{i}": [1] for i in range(33)}},
            "1..32 named tensors",
        ),
    ],
)
def test_invalid(document: object, message: str) -> None:
    plaintext = json.dumps(document).replace("Infinity", "1e999").encode()
    with pytest.raises(TaskError, match=message) as info:
        parse_request(plaintext)
    assert info.value.code == FailureCode.TASK_INVALID
    assert info.value.reason in str(info.value)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    name = '[{\\"' * 40
    request = parse_request(_doc(v=1, task="aggregate", features=[name]))
    assert request.features == (name,)


def test_input_budget_is_shared_between_tensors() -> None:
    half = [[0] * 1000] * 500
    assert parse_request(_doc(v=1, task="predict", inputs={"a": half, "b": half})).inputs
    with pytest.raises(TaskError, match="more than 1000000 numbers"):
        parse_request(_doc(v=1, task="predict", inputs={"a": half, "b": half, "c": [1]}))


def test_task_error_carries_code_and_reason() -> None:
    error = TaskError(5, "boom")
    assert error.code is FailureCode.MODEL_FAILED and error.reason == "boom"
    assert str(error) == "model_failed (5): boom"
    assert [int(c) for c in FailureCode] == [1, 2, 3, 4, 5, 6]
