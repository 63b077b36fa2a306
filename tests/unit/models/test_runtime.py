"""The runtime interface and OnnxRuntime: built models run, give NumPy's numbers, and every
misuse is a ModelRuntimeError that names the problem."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from tests.unit.models.support import (
    mlp_artifact,
    mlp_numpy,
    risk_artifact,
    risk_model,
    risk_numpy,
)
from veritee.exceptions import ConfigError, ModelRuntimeError, UnsupportedModel
from veritee.models import OnnxRuntime, TensorSpec, runtime_for
from veritee.models.datasets import RISK_FEATURES, read_features, synthetic_patients


def _model_bytes(
    nodes: list[onnx.NodeProto],
    inputs: list[onnx.ValueInfoProto],
    outputs: list[onnx.ValueInfoProto],
) -> bytes:
    graph = helper.make_graph(nodes, "test", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    data: bytes = model.SerializeToString()
    return data


def test_risk_model_matches_numpy() -> None:
    features = read_features(synthetic_patients(2000, seed=3), RISK_FEATURES)
    risk = risk_model().run({"features": features})["risk"]
    assert risk.dtype == np.float32 and risk.shape == (2000, 1)
    np.testing.assert_allclose(risk, risk_numpy(features), rtol=0, atol=2e-6)
    assert risk.min() >= 0.0 and risk.max() <= 1.0


def test_mlp_matches_numpy() -> None:
    artifact = mlp_artifact(4, 16, 3, 7)
    x = np.random.default_rng(1).standard_normal((257, 4)).astype(np.float32)
    y = OnnxRuntime().load(artifact).run({"x": x})["y"]
    assert y.shape == (257, 3)
    np.testing.assert_allclose(y, mlp_numpy(artifact, x), rtol=1e-5, atol=1e-5)


def test_loaded_model_declares_its_tensors_and_hash() -> None:
    model = risk_model()
    assert model.inputs == (TensorSpec("features", (None, 6), "float32"),)
    assert model.outputs == (TensorSpec("risk", (None, 1), "float32"),)
    assert model.sha256 == hashlib.sha256(risk_artifact()).digest()
    assert model.metadata["veritee.features"] == ",".join(RISK_FEATURES)
    assert repr(model) == f"OnnxModel(sha256={model.sha256.hex()})"


GOOD = np.zeros((2, 6), dtype=np.float32)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({}, r"missing 'features' \(model takes features: float32\[\?, 6\]\)"),
        ({"features": GOOD, "extra": GOOD}, "unknown 'extra'"),
        ({"x": GOOD}, "missing 'features' and unknown 'x'"),
        ({"features": GOOD.astype(np.float64)}, "'features' has dtype float64, expected float32"),
        ({"features": np.zeros(6, np.float32)}, "'features' has rank 1 .* expected rank 2"),
        ({"features": np.zeros((2, 5), np.float32)}, "'features' has 5 along axis 1, expected 6"),
        ({"features": [[0.0] * 6]}, "'features' must be a numpy array, got list"),
    ],
)
def test_bad_inputs_are_named(inputs: dict[str, Any], message: str) -> None:
    with pytest.raises(ModelRuntimeError, match=message):
        risk_model().run(inputs)


@pytest.mark.parametrize(
    "artifact",
    [b"", b"this is not an ONNX model", risk_artifact()[:-40], bytes(range(256)) * 4],
    ids=["empty", "text", "truncated", "noise"],
)
def test_malformed_artifact(artifact: bytes) -> None:
    with pytest.raises(ModelRuntimeError, match="cannot load ONNX model"):
        OnnxRuntime().load(artifact)


def test_failure_while_running_is_a_model_runtime_error() -> None:
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [3, -1])
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"])]
    graph = helper.make_graph(
        nodes,
        "reshape",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[shape],
    )
    artifact = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8
    ).SerializeToString()
    model = OnnxRuntime().load(artifact)
    with pytest.raises(ModelRuntimeError, match="ONNX model failed to run"):
        model.run({"x": np.zeros((1, 4), np.float32)})


def test_string_tensors_are_unsupported() -> None:
    artifact = _model_bytes(
        [helper.make_node("Identity", ["text"], ["out"])],
        [helper.make_tensor_value_info("text", TensorProto.STRING, [1])],
        [helper.make_tensor_value_info("out", TensorProto.STRING, [1])],
    )
    with pytest.raises(UnsupportedModel, match=r"input 'text' is of type tensor\(string\)"):
        OnnxRuntime().load(artifact)


def test_runtime_for() -> None:
    runtime = runtime_for("onnx")
    assert isinstance(runtime, OnnxRuntime) and runtime.format == "onnx" and runtime.threads == 1
    runtime = runtime_for(" ONNX ", threads=2)
    assert isinstance(runtime, OnnxRuntime) and runtime.threads == 2
    with pytest.raises(UnsupportedModel, match=r"model format 'gguf' \(supported: onnx\)"):
        runtime_for("gguf")
    with pytest.raises(ConfigError, match="invalid options for the onnx runtime"):
        runtime_for("onnx", gpu=True)


@pytest.mark.parametrize("threads", [0, -1, 1000, 1.5, True])
def test_threads_are_checked(threads: object) -> None:
    with pytest.raises(ConfigError, match="threads must be"):
        OnnxRuntime(threads=threads)  # type: ignore[arg-type]


def test_sessions_are_quiet_and_thread_safe(capfd: pytest.CaptureFixture[str]) -> None:
    model = OnnxRuntime(threads=2).load(risk_artifact())
    features = read_features(synthetic_patients(300, seed=5), RISK_FEATURES)
    expected = model.run({"features": features})["risk"]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: model.run({"features": features})["risk"], range(16)))
    for result in results:
        np.testing.assert_array_equal(result, expected)
    assert capfd.readouterr() == ("", "")
