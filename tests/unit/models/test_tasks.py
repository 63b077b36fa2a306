"""run_task: predict round trips; aggregate statistics equal NumPy's and leak no row."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from tests.unit.models.support import risk_artifact, risk_model, risk_numpy
from veritee.models import LoadedModel, OnnxRuntime
from veritee.models.builders import build_mlp
from veritee.models.datasets import RISK_FEATURES, read_features, synthetic_patients
from veritee.models.tasks import (
    BATCH_ROWS,
    FailureCode,
    TaskError,
    TaskRequest,
    decode_result,
    encode_document,
    parse_request,
    run_task,
    summarise_scores,
)

AGGREGATE = TaskRequest(task="aggregate", inputs=None, threshold=0.3, bins=10, features=None)
STATS = ("rows", "mean", "std", "p10", "p50", "p90", "at_or_above_threshold", "histogram")


def _numpy_stats(scores: np.ndarray, threshold: float, bins: int) -> dict[str, Any]:
    return {
        "rows": scores.size,
        "mean": np.mean(scores),
        "std": np.std(scores),
        "p10": np.percentile(scores, 10),
        "p50": np.percentile(scores, 50),
        "p90": np.percentile(scores, 90),
        "at_or_above_threshold": np.count_nonzero(scores >= threshold) / scores.size,
        "histogram": np.histogram(scores, bins=bins, range=(0, 1))[0].tolist(),
    }


def _single_op_model(op: str, in_type: int = TensorProto.FLOAT) -> LoadedModel:
    attributes: dict[str, Any] = {"to": TensorProto.FLOAT} if op == "Cast" else {}
    graph = helper.make_graph(
        [helper.make_node(op, ["x"], ["y"], **attributes)],
        op.lower(),
        [helper.make_tensor_value_info("x", in_type, ["N", 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    return OnnxRuntime().load(model.SerializeToString())


def _two_input_model() -> LoadedModel:
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["y"])],
        "add",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["N", 6]) for n in "ab"],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 6])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    return OnnxRuntime().load(model.SerializeToString())


def test_aggregate_equals_numpy_on_5000_rows() -> None:
    capsules = [synthetic_patients(n, seed=s) for n, s in ((3000, 1), (1500, 2), (500, 3))]
    document = run_task(AGGREGATE, risk_model(), capsules, job_id=42)
    assert set(document) == {"v", "job_id", "task", "outputs"}
    assert (document["v"], document["job_id"], document["task"]) == (1, 42, "aggregate")
    outputs = document["outputs"]
    assert outputs["features"] == list(RISK_FEATURES)
    assert (outputs["threshold"], outputs["bins"]) == (0.3, 10)
    per_capsule = [
        risk_model().run({"features": read_features(c, RISK_FEATURES)})["risk"][:, 0]
        for c in capsules
    ]
    expected = [_numpy_stats(s.astype(np.float64), 0.3, 10) for s in per_capsule]
    expected.append(_numpy_stats(np.concatenate(per_capsule).astype(np.float64), 0.3, 10))
    got = [*outputs["capsules"], outputs["overall"]]
    assert outputs["overall"]["rows"] == 5000 > BATCH_ROWS
    for stats, want in zip(got, expected, strict=True):
        assert set(stats) == set(STATS)
        for key in STATS:
            assert stats[key] == pytest.approx(want[key], rel=1e-12, abs=1e-12), key
    # And the same as the model's documented weights, re-implemented in NumPy.
    reference = risk_numpy(read_features(capsules[0], RISK_FEATURES))[:, 0]
    assert outputs["capsules"][0]["mean"] == pytest.approx(reference.mean(), abs=1e-6)


def test_aggregate_output_does_not_grow_with_rows() -> None:
    small = encode_document(run_task(AGGREGATE, risk_model(), [synthetic_patients(50)], job_id=1))
    big_data = synthetic_patients(20_000)
    big = encode_document(run_task(AGGREGATE, risk_model(), [big_data], job_id=1))
    assert len(big) - len(small) < 60  # a few more digits in the counts, nothing per row
    assert len(big) < 2000
    assert b"P0000-" not in big and b"ward" not in big
    assert decode_result(big)["outputs"]["overall"]["rows"] == 20_000


def test_aggregate_with_an_empty_capsule() -> None:
    empty = synthetic_patients(0)
    outputs = run_task(AGGREGATE, risk_model(), [empty, synthetic_patients(10)], job_id=1)
    first = outputs["outputs"]["capsules"][0]
    assert first["rows"] == 0 and first["mean"] is None and first["histogram"] == [0] * 10
    assert outputs["outputs"]["overall"]["rows"] == 10
    assert summarise_scores(np.array([]), 0.5, 3)["p50"] is None


def test_aggregate_feature_names_from_request_or_default() -> None:
    data = synthetic_patients(40, seed=8)
    renamed = data.replace(b"systolic_bp", b"sbp", 1)
    features = ("age", "bmi", "sbp", "hba1c", "prior_admissions", "smoker")
    request = TaskRequest("aggregate", None, 0.3, 10, features)
    default = run_task(AGGREGATE, risk_model(), [data], job_id=1)["outputs"]["overall"]
    renamed_overall = run_task(request, risk_model(), [renamed], job_id=1)["outputs"]["overall"]
    assert renamed_overall == default
    # Without the features metadata the risk model's columns are the default.
    bare = onnx.load_from_string(risk_artifact())
    del bare.metadata_props[:]
    model = OnnxRuntime().load(bare.SerializeToString())
    assert run_task(AGGREGATE, model, [data], job_id=1)["outputs"]["overall"] == default


@pytest.mark.parametrize(
    ("request_", "model", "datasets", "code", "message"),
    [
        (AGGREGATE, "risk", [], 6, "aggregate needs at least one capsule"),
        (AGGREGATE, "risk", [b"age,bmi\n1,2\n"], 2, "capsule 0: dataset has no column"),
        (AGGREGATE, "risk", [b"\xff"], 2, "capsule 0: dataset is not UTF-8"),
        (
            TaskRequest("aggregate", None, 0.5, 10, ("age", "bmi")),
            "risk",
            [synthetic_patients(5)],
            6,
            "the model reads 6 features, the request names 2",
        ),
        (AGGREGATE, "mlp", [synthetic_patients(5)], 5, r"scores outside \[0, 1\]"),
        (AGGREGATE, "wide", [synthetic_patients(5)], 5, "one score per row"),
        (
            TaskRequest("aggregate", None, 0.5, 10, ("age", "bmi")),
            "cast",
            [synthetic_patients(5)],
            6,
            "aggregate needs a float input, not int64",
        ),
        (AGGREGATE, "two", [synthetic_patients(5)], 6, r"one \[rows, features\] input"),
        (TaskRequest("train", None, 0.5, 10, None), "risk", [], 6, "unknown task 'train'"),
    ],
)
def test_aggregate_failures(
    request_: TaskRequest, model: str, datasets: list[bytes], code: int, message: str
) -> None:
    models: dict[str, Callable[[], LoadedModel]] = {
        "risk": risk_model,
        "mlp": lambda: OnnxRuntime().load(build_mlp(6, 4, 1)),
        "wide": lambda: OnnxRuntime().load(build_mlp(6, 4, 2)),
        "cast": lambda: _single_op_model("Cast", TensorProto.INT64),
        "two": _two_input_model,
    }
    with pytest.raises(TaskError, match=message) as info:
        run_task(request_, models[model](), datasets, job_id=1)
    assert info.value.code == code


def test_predict_round_trip() -> None:
    rows = read_features(synthetic_patients(20, seed=4), RISK_FEATURES)
    plaintext = encode_document({"v": 1, "task": "predict", "inputs": {"features": rows.tolist()}})
    document = run_task(parse_request(plaintext), risk_model(), [], job_id=9)
    decoded = decode_result(encode_document(document))
    assert decoded == json.loads(encode_document(document))
    assert (decoded["job_id"], decoded["task"]) == (9, "predict")
    assert list(decoded["outputs"]) == ["risk"]
    risk = np.array(decoded["outputs"]["risk"], dtype=np.float32)
    np.testing.assert_array_equal(risk, risk_model().run({"features": rows})["risk"])
    np.testing.assert_allclose(risk, risk_numpy(rows), atol=2e-6)


def _predict(inputs: dict[str, Any]) -> TaskRequest:
    return parse_request(encode_document({"v": 1, "task": "predict", "inputs": inputs}))


def test_predict_casts_to_the_model_dtypes() -> None:
    model = _single_op_model("Cast", TensorProto.INT64)
    outputs = run_task(_predict({"x": [[1, -2]]}), model, [], job_id=1)["outputs"]
    assert outputs == {"y": [[1.0, -2.0]]}
    boolean = _single_op_model("Cast", TensorProto.BOOL)
    assert run_task(_predict({"x": [[1, 0]]}), boolean, [], job_id=1)["outputs"]["y"] == [
        [1.0, 0.0]
    ]


@pytest.mark.parametrize(
    ("model", "inputs", "datasets", "code", "message"),
    [
        ("risk", {"x": [[0] * 6]}, [], 6, "missing 'features' and unknown 'x'"),
        ("risk", {"features": [0] * 6}, [], 6, "'features' has rank 1"),
        ("risk", {"features": [[0] * 5]}, [], 6, "has 5 along axis 1, expected 6"),
        ("risk", {"features": [[1e300] * 6]}, [], 6, "'features' overflows float32"),
        ("risk", {"features": [[0] * 6]}, [b"a\n1\n"], 6, "predict takes no capsules"),
        ("int", {"x": [[1.5, 2]]}, [], 6, "must hold int64 integers"),
        ("int", {"x": [[2.0**63, 2]]}, [], 6, "must hold int64 integers"),
        ("bool", {"x": [[2, 0]]}, [], 6, "must hold 0 or 1"),
        ("log", {"x": [[0, 1]]}, [], 5, "model output 'y' is not finite"),
    ],
)
def test_predict_failures(
    model: str, inputs: dict[str, Any], datasets: list[bytes], code: int, message: str
) -> None:
    models: dict[str, Callable[[], LoadedModel]] = {
        "risk": risk_model,
        "int": lambda: _single_op_model("Cast", TensorProto.INT64),
        "bool": lambda: _single_op_model("Cast", TensorProto.BOOL),
        "log": lambda: _single_op_model("Log"),
    }
    with pytest.raises(TaskError, match=message) as info:
        run_task(_predict(inputs), models[model](), datasets, job_id=1)
    assert info.value.code == code


def test_model_failure_while_running_is_model_failed() -> None:
    class Broken(LoadedModel):
        inputs = risk_model().inputs
        outputs = risk_model().outputs
        sha256 = bytes(32)

        def _execute(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            from veritee.exceptions import ModelRuntimeError

            raise ModelRuntimeError("ONNX model failed to run: out of memory")

    with pytest.raises(TaskError, match="out of memory") as info:
        run_task(_predict({"features": [[0] * 6]}), Broken(), [], job_id=1)
    assert info.value.code == FailureCode.MODEL_FAILED
