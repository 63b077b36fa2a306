"""The base64 tensor form: encode/decode round trips, strict parsing of inputs with their failure
codes, predict with base64 in and out, and decode_result with both output forms."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest
from onnx import TensorProto, helper

from tests.unit.models.support import risk_model
from veritee.exceptions import JobError
from veritee.models import LoadedModel, OnnxRuntime, TensorSpec
from veritee.models.datasets import RISK_FEATURES, read_features, synthetic_patients
from veritee.models.tasks import (
    MAX_OUTPUT_NUMBERS,
    FailureCode,
    TaskError,
    decode_result,
    decode_tensor,
    encode_document,
    encode_tensor,
    parse_request,
    run_task,
)
from veritee.models.tensors import TENSOR_DTYPES

SHAPES = [(), (0,), (3,), (2, 0), (0, 5), (2, 3), (1, 2, 3, 4), (2,) * 8]


def _values(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    count = int(np.prod(shape))
    if dtype == "bool":
        return (np.arange(count) % 3 == 0).reshape(shape)
    if dtype.startswith("int"):
        info = np.iinfo(dtype)
        base = np.array([info.min, -1, 0, 1, info.max], dtype=dtype)
        return np.resize(base, count).reshape(shape)
    info_f = np.finfo(dtype)
    base_f = np.array([info_f.min, -1.5, -0.0, info_f.tiny, 1e-3, info_f.max], dtype=dtype)
    return np.resize(base_f, count).reshape(shape)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _object(dtype: str, shape: list[int], raw: bytes) -> dict[str, Any]:
    return {"dtype": dtype, "shape": shape, "data": _b64(raw)}


def _predict_doc(inputs: dict[str, Any], **fields: Any) -> bytes:
    return json.dumps({"v": 1, "task": "predict", "inputs": inputs, **fields}).encode()


# -- encode_tensor / decode_tensor ------------------------------------------------------------


@pytest.mark.parametrize("dtype", TENSOR_DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_round_trip_every_dtype_and_shape(dtype: str, shape: tuple[int, ...]) -> None:
    array = _values(dtype, shape)
    encoded = encode_tensor(array)
    assert set(encoded) == {"dtype", "shape", "data"}
    assert (encoded["dtype"], encoded["shape"]) == (dtype, list(shape))
    assert (
        base64.b64decode(encoded["data"])
        == array.astype(np.dtype(dtype).newbyteorder("<")).tobytes()
    )
    # Through a document and back: the same dtype, shape and bits.
    document = json.loads(encode_document({"t": encoded}))
    decoded = decode_tensor(document["t"])
    assert decoded.dtype == np.dtype(dtype) and decoded.shape == shape
    np.testing.assert_array_equal(decoded, array)
    assert decoded.tobytes() == array.tobytes()
    assert decoded.flags.writeable
    # And as a predict input, to the parser.
    request = parse_request(_predict_doc({"x": encoded}))
    assert request.inputs is not None
    parsed = request.inputs["x"]
    assert parsed.dtype == np.dtype(dtype) and parsed.shape == shape
    assert parsed.tobytes() == array.tobytes() and parsed.flags.writeable


def test_encode_widens_losslessly_and_handles_any_layout() -> None:
    assert encode_tensor(np.array([1.5], dtype=np.float16))["dtype"] == "float32"
    for narrow in ("int8", "int16", "uint8", "uint16"):
        encoded = encode_tensor(np.array([0, 7], dtype=narrow))
        assert encoded["dtype"] == "int32"
        np.testing.assert_array_equal(decode_tensor(encoded), [0, 7])
    assert encode_tensor(np.array([2**32 - 1], dtype=np.uint32))["dtype"] == "int64"
    assert decode_tensor(encode_tensor(np.array([2**63 - 1], dtype=np.uint64)))[0] == 2**63 - 1
    big_endian = np.arange(6, dtype=">f8").reshape(2, 3)
    strided = np.arange(12, dtype=np.int32).reshape(3, 4).T
    for array in (big_endian, strided, [[1, 2], [3, 4]], 2.5):
        np.testing.assert_array_equal(decode_tensor(encode_tensor(array)), np.asarray(array))
    assert encode_tensor(big_endian) == encode_tensor(big_endian.astype("<f8"))


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.array([1 + 2j]), "dtype complex128 cannot be encoded"),
        (np.array(["a"]), "cannot be encoded"),
        (np.array([None]), "dtype object cannot be encoded"),
        (np.array([np.nan], dtype=np.float32), "NaN or an infinity"),
        (np.array([-np.inf]), "NaN or an infinity"),
        (np.array([2**64 - 1], dtype=np.uint64), "above the int64 range"),
        (np.zeros((1,) * 33), "rank 33 cannot be encoded"),
    ],
)
def test_encode_refuses(array: np.ndarray, message: str) -> None:
    with pytest.raises(JobError, match=message):
        encode_tensor(array)


def test_decode_nested_lists() -> None:
    assert decode_tensor([[1, 2], [3, 4]]).dtype == np.int64
    floats = decode_tensor([[0.5], [1]])
    assert floats.dtype == np.float64 and floats.shape == (2, 1)
    assert decode_tensor([[]]).shape == (1, 0)
    assert decode_tensor(True).dtype == np.bool_
    assert decode_tensor(3.5).shape == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([[1, 2], [3]], "not a rectangular array"),
        (["a"], "nested lists of numbers or a tensor object"),
        ([None], "nested lists of numbers"),
        ("AAAA", "nested lists of numbers"),
        ([float("nan")], "non-finite"),
        ([0] * 11, "more than 10 numbers"),
        ({"dtype": "int8", "shape": [1], "data": "AA=="}, "unknown dtype 'int8'"),
        ({"dtype": "float32", "shape": [2], "data": "AAAAAA=="}, "holds 4 bytes"),
    ],
)
def test_decode_refuses(value: object, message: str) -> None:
    with pytest.raises(JobError, match=message):
        decode_tensor(value, max_numbers=10)


# -- parse_request with tensor objects ---------------------------------------------------------

_F32 = np.arange(6, dtype="<f4").tobytes()


@pytest.mark.parametrize(
    ("tensor", "message"),
    [
        ({"dtype": "float16", "shape": [3], "data": _b64(b"\0" * 6)}, "unknown dtype 'float16'"),
        ({"dtype": "FLOAT32", "shape": [6], "data": _b64(_F32)}, "unknown dtype 'FLOAT32'"),
        ({"dtype": 5, "shape": [6], "data": _b64(_F32)}, "unknown dtype 5"),
        ({"dtype": "uint8", "shape": [6], "data": _b64(b"\0" * 6)}, "unknown dtype 'uint8'"),
        (_object("float32", [2, 2], _F32), r"holds 24 bytes; shape \[2, 2\] of float32 needs 16"),
        (_object("float32", [7], _F32), "needs 28"),
        (_object("float64", [6], _F32), "needs 48"),
        (_object("float32", [0], _F32), "needs 0"),
        (_object("float32", [2, -3], _F32), "shape must be a list of non-negative integers"),
        (_object("float32", [2.0, 3], _F32), "shape must be a list of non-negative integers"),
        (_object("float32", [True, 6], _F32), "shape must be a list of non-negative integers"),
        ({"dtype": "float32", "shape": 6, "data": _b64(_F32)}, "shape must be a list"),
        (_object("float32", [1] * 9, b"\0" * 4), "input 'x' has rank above 8"),
        (_object("float32", [0, 10**6, 2], b""), "has dimensions over 1000000"),
        (
            _object("float32", [2, 3], np.array([0, 1, np.nan, 3, 4, 5], "<f4").tobytes()),
            "non-finite",
        ),
        (_object("float64", [2], np.array([1.0, np.inf], "<f8").tobytes()), "non-finite"),
        (_object("float32", [1], np.array([-np.inf], "<f4").tobytes()), "non-finite"),
        (_object("bool", [3], b"\x00\x01\x02"), "bool data must hold only the bytes 0 and 1"),
        ({"dtype": "float32", "shape": [6], "data": 12}, "data must be a base64 string"),
        ({"dtype": "float32", "shape": [6]}, "misses field.* data; a tensor object has exactly"),
        ({}, "misses field.*data, dtype, shape"),
        ({**_object("float32", [6], _F32), "order": "C"}, "unknown field.*'order'"),
        ({**_object("float32", [6], _F32), "endian": "<"}, "unknown field"),
    ],
)
def test_malformed_tensor_objects_are_task_invalid(tensor: dict[str, Any], message: str) -> None:
    with pytest.raises(TaskError, match=message) as info:
        parse_request(_predict_doc({"x": tensor}))
    assert info.value.code == FailureCode.TASK_INVALID
    assert "'x'" in info.value.reason


_F32_4 = _b64(np.arange(4, dtype="<f4").tobytes())  # 16 bytes: ends with "=="


@pytest.mark.parametrize(
    "data",
    [
        _F32_4[:-3] + "!==",  # not the alphabet
        " " + _F32_4,  # whitespace
        _F32_4[:8] + "\n" + _F32_4[8:],  # a line break
        _F32_4.rstrip("="),  # padding missing
        _F32_4 + "==",  # padding left over
        _F32_4[:-4] + "A=A=",  # padding inside a group
        _F32_4[:-5] + "==",  # a truncated group
        "é" * 24,  # not ASCII
    ],
)
def test_invalid_base64_is_input_unreadable(data: str) -> None:
    tensor = {"dtype": "float32", "shape": [4], "data": data}
    with pytest.raises(TaskError, match=r"input 'x' data is not (valid|canonical) base64") as info:
        parse_request(_predict_doc({"x": tensor}))
    assert info.value.code == FailureCode.INPUT_UNREADABLE


def test_valid_base64_of_the_wrong_length_is_task_invalid() -> None:
    tensor = {"dtype": "float32", "shape": [4], "data": _F32_4[:-4] + "AAAA" + "AA=="}
    with pytest.raises(TaskError, match="data holds 19 bytes") as info:
        parse_request(_predict_doc({"x": tensor}))
    assert info.value.code == FailureCode.TASK_INVALID


def test_non_canonical_base64_is_refused() -> None:
    # "AAE=" is b"\x00\x01"; "AAF=" decodes to the same bytes with a stray bit.
    assert base64.b64decode("AAF=", validate=True) == base64.b64decode("AAE=")
    tensor = {"dtype": "bool", "shape": [2], "data": "AAF="}
    with pytest.raises(TaskError, match="not canonical base64") as info:
        parse_request(_predict_doc({"x": tensor}))
    assert info.value.code == FailureCode.INPUT_UNREADABLE
    tensor["data"] = "AAE="
    assert parse_request(_predict_doc({"x": tensor})).inputs is not None


def test_budget_is_shared_between_both_forms() -> None:
    half = encode_tensor(np.zeros((500, 1000), dtype=np.float32))
    assert parse_request(_predict_doc({"a": half, "b": half})).inputs
    for extra in ([1], encode_tensor(np.zeros(1, dtype=np.bool_))):
        with pytest.raises(TaskError, match="inputs hold more than 1000000 numbers") as info:
            parse_request(_predict_doc({"a": half, "b": half, "c": extra}))
        assert info.value.code == FailureCode.TASK_INVALID
    lists = [[0] * 1000] * 500
    with pytest.raises(TaskError, match="inputs hold more than 1000000 numbers"):
        parse_request(_predict_doc({"a": lists, "b": half, "c": encode_tensor([1.0])}))
    # Zero-size tensors take nothing from the budget.
    empty = encode_tensor(np.zeros((0, 1000), dtype=np.int64))
    assert parse_request(_predict_doc({"a": half, "b": half, "c": empty})).inputs


def test_mixed_forms_and_output_encoding() -> None:
    request = parse_request(
        _predict_doc({"a": [[1, 2]], "b": encode_tensor([[3, 4]])}, output_encoding="base64")
    )
    assert request.output_encoding == "base64" and request.inputs is not None
    assert request.inputs["a"].dtype == np.float64 and request.inputs["b"].dtype == np.int64
    assert parse_request(_predict_doc({"a": [1]})).output_encoding == "json"
    aggregate = json.dumps({"v": 1, "task": "aggregate", "output_encoding": "base64"}).encode()
    assert parse_request(aggregate).output_encoding == "base64"


@pytest.mark.parametrize("value", ["BASE64", "hex", None, 1, ["base64"], "x" * 100])
def test_unknown_output_encoding_is_task_invalid(value: object) -> None:
    with pytest.raises(TaskError, match="output_encoding must be 'json' or 'base64'") as info:
        parse_request(_predict_doc({"a": [1]}, output_encoding=value))
    assert info.value.code == FailureCode.TASK_INVALID
    assert len(info.value.reason) < 120


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([[1, "a"], [2]], "only numbers, found str"),
        ([[1, 2], [3]], "not a rectangular array"),
        ([[[1], [2]], [[3], 4]], "not a rectangular array"),
        ([[1, 2], [3, False]], "only numbers, found bool"),
        ([[1, 2], [3, {"a": 1}]], "only numbers, found dict"),
        ([{"dtype": "float32"}], "only numbers, found dict"),
    ],
)
def test_nested_list_errors_are_unchanged(value: object, message: str) -> None:
    with pytest.raises(TaskError, match=message) as info:
        parse_request(_predict_doc({"x": value}))
    assert info.value.code == FailureCode.TASK_INVALID


def test_nested_lists_of_every_rank() -> None:
    for shape in [(), (0,), (4,), (3, 0), (2, 3), (2, 1, 3), (1,) * 8]:
        values = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) / 2
        request = parse_request(_predict_doc({"x": values.tolist()}))
        assert request.inputs is not None
        np.testing.assert_array_equal(request.inputs["x"], values)
        assert request.inputs["x"].shape == shape


# -- predict with base64 ----------------------------------------------------------------------


def _cast_model(in_type: int, out_type: int) -> LoadedModel:
    graph = helper.make_graph(
        [helper.make_node("Cast", ["x"], ["y"], to=out_type)],
        "cast",
        [helper.make_tensor_value_info("x", in_type, ["N", 2])],
        [helper.make_tensor_value_info("y", out_type, ["N", 2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    return OnnxRuntime().load(model.SerializeToString())


def test_predict_base64_in_and_out_equals_the_json_path() -> None:
    rows = read_features(synthetic_patients(300, seed=5), RISK_FEATURES)
    json_doc = encode_document({"v": 1, "task": "predict", "inputs": {"features": rows.tolist()}})
    b64_doc = encode_document(
        {
            "v": 1,
            "task": "predict",
            "inputs": {"features": encode_tensor(rows)},
            "output_encoding": "base64",
        }
    )
    assert len(b64_doc) < len(json_doc)
    by_json = decode_result(
        encode_document(run_task(parse_request(json_doc), risk_model(), [], job_id=3))
    )
    by_b64 = decode_result(
        encode_document(run_task(parse_request(b64_doc), risk_model(), [], job_id=3))
    )
    risk_json = by_json["outputs"]["risk"]
    risk_b64 = by_b64["outputs"]["risk"]
    assert isinstance(risk_json, list)
    assert set(risk_b64) == {"dtype", "shape", "data"} and risk_b64["dtype"] == "float32"
    decoded = decode_tensor(risk_b64)
    assert decoded.dtype == np.float32 and decoded.shape == (300, 1)
    np.testing.assert_array_equal(decoded, np.array(risk_json, dtype=np.float32))
    np.testing.assert_array_equal(decoded, risk_model().run({"features": rows})["risk"])
    # Mixed: base64 in, JSON out; JSON in, base64 out.
    mixed = encode_document(
        {"v": 1, "task": "predict", "inputs": {"features": encode_tensor(rows)}}
    )
    assert (
        run_task(parse_request(mixed), risk_model(), [], job_id=3)["outputs"]["risk"] == risk_json
    )


def test_predict_casts_typed_inputs_exactly() -> None:
    to_int32 = _cast_model(TensorProto.INT32, TensorProto.INT32)
    wide = np.array([[2**31 - 1, -(2**31)]], dtype=np.int64)
    out = run_task(_request(wide), to_int32, [], job_id=1)["outputs"]["y"]
    assert out == {"dtype": "int32", "shape": [1, 2], "data": _b64(wide.astype("<i4").tobytes())}
    for bad in (np.array([[2**31, 0]]), np.array([[0.5, 1.0]])):
        with pytest.raises(TaskError, match="must hold int32 integers") as info:
            run_task(_request(bad), to_int32, [], job_id=1)
        assert info.value.code == FailureCode.TASK_INVALID
    # int64 beyond 2**53 reaches an int64 model exactly (float64 JSON could not carry it).
    to_int64 = _cast_model(TensorProto.INT64, TensorProto.INT64)
    exact = np.array([[2**62 + 1, -(2**62) - 1]], dtype=np.int64)
    got = decode_tensor(run_task(_request(exact), to_int64, [], job_id=1)["outputs"]["y"])
    assert got.dtype == np.int64 and got.tolist() == exact.tolist()
    # bool and ints into a float model; floats and ints into a bool model.
    to_float = _cast_model(TensorProto.FLOAT, TensorProto.FLOAT)
    flags = np.array([[True, False]])
    assert decode_tensor(
        run_task(_request(flags), to_float, [], job_id=1)["outputs"]["y"]
    ).tolist() == [[1.0, 0.0]]
    with pytest.raises(TaskError, match="overflows float32"):
        run_task(_request(np.array([[1e300, 0.0]])), to_float, [], job_id=1)
    to_bool = _cast_model(TensorProto.BOOL, TensorProto.BOOL)
    got_b = decode_tensor(
        run_task(_request(np.array([[1, 0]], np.int32)), to_bool, [], job_id=1)["outputs"]["y"]
    )
    assert got_b.dtype == np.bool_ and got_b.tolist() == [[True, False]]
    with pytest.raises(TaskError, match="must hold 0 or 1"):
        run_task(_request(np.array([[2, 0]], np.int32)), to_bool, [], job_id=1)


def _request(array: np.ndarray) -> Any:
    return parse_request(_predict_doc({"x": encode_tensor(array)}, output_encoding="base64"))


# -- decode_result with both forms ------------------------------------------------------------


def _result(outputs: dict[str, Any], task: str = "predict") -> bytes:
    return encode_document({"v": 1, "job_id": 4, "task": task, "outputs": outputs})


def test_decode_result_accepts_both_forms() -> None:
    risk = np.array([[0.25], [0.5]], dtype=np.float32)
    for outputs in (
        {"risk": risk.tolist()},
        {"risk": encode_tensor(risk)},
        {"risk": encode_tensor(risk), "other": [[1, 2]]},
    ):
        document = decode_result(_result(outputs))
        assert document["outputs"] == outputs
        np.testing.assert_array_equal(decode_tensor(document["outputs"]["risk"]), risk)
    # aggregate outputs are never tensors; an object there is not checked as one.
    aggregate = {"capsules": [], "overall": {"dtype": "x"}}
    assert decode_result(_result(aggregate, "aggregate"))["outputs"] == aggregate


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (
            {"dtype": "complex64", "shape": [1], "data": "AAAAAAAAAAA="},
            "output 'risk' has unknown dtype",
        ),
        (
            {"dtype": "float32", "shape": [2], "data": "AAAAAA=="},
            "output 'risk' data holds 4 bytes",
        ),
        (
            {"dtype": "float32", "shape": [1], "data": "AACAfw=="},
            "output 'risk' holds a non-finite number",
        ),
        (
            {"dtype": "float32", "shape": [1], "data": "AACAf w=="},
            "output 'risk' data is not valid base64",
        ),
        (
            {"dtype": "float32", "shape": [1], "data": "AAAAAA==", "x": 1},
            "output 'risk' has unknown field",
        ),
        (
            {"dtype": "float32", "shape": [MAX_OUTPUT_NUMBERS + 1], "data": ""},
            "outputs hold more than 1000000",
        ),
    ],
)
def test_decode_result_refuses_malformed_tensor_objects(
    output: dict[str, Any], message: str
) -> None:
    with pytest.raises(JobError, match=f"malformed result document: {message}"):
        decode_result(_result({"risk": output}))


def test_an_output_base64_cannot_hold_is_model_failed() -> None:
    class Huge(LoadedModel):
        inputs = risk_model().inputs
        outputs = (TensorSpec("y", (None,), "uint64"),)
        sha256 = bytes(32)

        def _execute(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            return {"y": np.array([2**64 - 1], dtype=np.uint64)}

    rows = encode_tensor(np.zeros((1, 6), dtype=np.float32))
    as_json = parse_request(_predict_doc({"features": rows}))
    assert run_task(as_json, Huge(), [], job_id=1)["outputs"] == {"y": [2**64 - 1]}
    with pytest.raises(TaskError, match=r"model output 'y': .*above the int64 range") as info:
        run_task(
            parse_request(_predict_doc({"features": rows}, output_encoding="base64")),
            Huge(),
            [],
            job_id=1,
        )
    assert info.value.code == FailureCode.MODEL_FAILED
