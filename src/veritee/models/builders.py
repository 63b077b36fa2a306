"""Tiny real ONNX models, built on the fly with the ``onnx`` helper API.

:func:`build_risk_model` is the demo model: a synthetic 30-day-readmission risk score over the
columns of :func:`~veritee.models.datasets.synthetic_patients`. Its weights are written out
below (:data:`RISK_MODEL`) rather than trained: the score rises with age, BMI, blood pressure,
HbA1c, prior admissions and smoking, which makes it a plausible-looking demo and nothing more.
It is **not** a clinical model and gives no medical advice. :func:`build_mlp` makes random-weight
models of any size for tests and benchmarks. Both return the same bytes on every call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from veritee.exceptions import ModelError
from veritee.models.datasets import RISK_FEATURES
from veritee.models.runtime import FEATURES_METADATA_KEY

__all__ = [
    "FEATURES_METADATA_KEY",
    "ONNX_IR_VERSION",
    "ONNX_OPSET",
    "RISK_FEATURES",
    "RISK_MODEL",
    "RiskModelWeights",
    "build_mlp",
    "build_risk_model",
]

#: The ONNX opset the builders target, and the IR version that goes with it.
ONNX_OPSET = 17
ONNX_IR_VERSION = 8


@dataclass(frozen=True)
class RiskModelWeights:
    """The risk model: ``sigmoid(tanh(((x - mean) / scale) @ w1 + b1) @ w2 + b2)``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    w1: tuple[tuple[float, ...], ...]  # [6 features][8 hidden units]
    b1: tuple[float, ...]
    w2: tuple[float, ...]  # [8 hidden units] -> one logit
    b2: float


#: The risk model's fixed weights. ``mean`` and ``scale`` are typical adult-inpatient values
#: (age in years, BMI in kg/m², systolic pressure in mmHg, HbA1c in %, admissions in the last
#: year, smoker 0/1), so each standardised feature is about N(0, 1). Each hidden unit mixes
#: the features with non-negative weights, except small negative ones that keep the units
#: distinct; ``w2`` is positive, so the score increases with every feature. ``b2`` puts the mean
#: risk over :func:`~veritee.models.datasets.synthetic_patients` near 0.2.
RISK_MODEL = RiskModelWeights(
    mean=(62.0, 27.5, 130.0, 6.1, 1.3, 0.2),
    scale=(15.0, 5.0, 17.0, 0.65, 1.2, 0.4),
    w1=(
        (0.8, 0.2, 0.5, 0.0, 0.6, 0.3, -0.2, 0.4),  # age
        (0.1, 0.6, 0.3, 0.2, 0.0, 0.4, 0.3, -0.1),  # bmi
        (0.3, 0.4, 0.0, 0.5, 0.2, 0.1, 0.4, 0.2),  # systolic_bp
        (0.0, 0.7, 0.2, 0.6, 0.1, 0.3, 0.5, 0.0),  # hba1c
        (0.5, 0.1, 0.9, 0.3, 0.8, 0.2, 0.1, 0.6),  # prior_admissions
        (0.2, 0.3, 0.1, 0.4, 0.0, 0.7, 0.2, 0.3),  # smoker
    ),
    b1=(0.0, -0.2, 0.1, -0.1, 0.2, 0.0, -0.3, 0.1),
    w2=(0.5, 0.35, 0.6, 0.3, 0.45, 0.35, 0.2, 0.35),
    b2=-1.8,
)


def _f32(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def _serialise(graph: onnx.GraphProto, metadata: dict[str, str]) -> bytes:
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
        ir_version=ONNX_IR_VERSION,
        producer_name="veritee",
        producer_version="1",
    )
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model, full_check=True)
    data: bytes = model.SerializeToString(deterministic=True)
    return data


def build_risk_model() -> bytes:
    """The synthetic readmission-risk model (:data:`RISK_MODEL`) as ONNX bytes.

    Input ``features``: float32 ``[N, 6]``, columns :data:`RISK_FEATURES` in that order;
    output ``risk``: float32 ``[N, 1]`` in [0, 1]. Opset :data:`ONNX_OPSET`; the metadata key
    :data:`FEATURES_METADATA_KEY` lists the feature columns. Byte-identical on every call.
    """
    w = RISK_MODEL
    n_features = len(RISK_FEATURES)
    initializers = [
        numpy_helper.from_array(_f32(w.mean), "mean"),
        numpy_helper.from_array(_f32(w.scale), "scale"),
        numpy_helper.from_array(_f32(w.w1), "w1"),
        numpy_helper.from_array(_f32(w.b1), "b1"),
        numpy_helper.from_array(_f32(w.w2).reshape(-1, 1), "w2"),
        numpy_helper.from_array(_f32([w.b2]), "b2"),
    ]
    nodes = [
        helper.make_node("Sub", ["features", "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "scale"], ["standardised"]),
        helper.make_node("MatMul", ["standardised", "w1"], ["hidden_linear"]),
        helper.make_node("Add", ["hidden_linear", "b1"], ["hidden_biased"]),
        helper.make_node("Tanh", ["hidden_biased"], ["hidden"]),
        helper.make_node("MatMul", ["hidden", "w2"], ["logit_linear"]),
        helper.make_node("Add", ["logit_linear", "b2"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["risk"]),
    ]
    graph = helper.make_graph(
        nodes,
        "readmission_risk",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", n_features])],
        [helper.make_tensor_value_info("risk", TensorProto.FLOAT, ["N", 1])],
        initializer=initializers,
    )
    return _serialise(
        graph,
        {
            FEATURES_METADATA_KEY: ",".join(RISK_FEATURES),
            "veritee.description": "synthetic 30-day readmission risk score; not medical advice",
        },
    )


def build_mlp(n_inputs: int, hidden: int, n_outputs: int, *, seed: int = 0) -> bytes:
    """A random-weight MLP as ONNX bytes: ``y = relu(x @ w1 + b1) @ w2 + b2``.

    Input ``x``: float32 ``[N, n_inputs]``; output ``y``: float32 ``[N, n_outputs]``. Weights
    are drawn from ``numpy.random.Generator(PCG64(seed))``, scaled by ``1 / sqrt(fan_in)``; the
    initialisers are named ``w1``, ``b1``, ``w2``, ``b2``. For tests and benchmarks.
    """
    for name, value in (("n_inputs", n_inputs), ("hidden", hidden), ("n_outputs", n_outputs)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65_536:
            raise ModelError(f"{name} must be an integer in 1..65536, got {value!r}")
    rng = np.random.Generator(np.random.PCG64(seed))
    w1 = rng.standard_normal((n_inputs, hidden)) / np.sqrt(n_inputs)
    b1 = rng.standard_normal(hidden) * 0.1
    w2 = rng.standard_normal((hidden, n_outputs)) / np.sqrt(hidden)
    b2 = rng.standard_normal(n_outputs) * 0.1
    initializers = [
        numpy_helper.from_array(_f32(array), name)
        for name, array in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2))
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["hidden_linear"]),
        helper.make_node("Add", ["hidden_linear", "b1"], ["hidden_biased"]),
        helper.make_node("Relu", ["hidden_biased"], ["hidden"]),
        helper.make_node("MatMul", ["hidden", "w2"], ["output_linear"]),
        helper.make_node("Add", ["output_linear", "b2"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n_inputs])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", n_outputs])],
        initializer=initializers,
    )
    return _serialise(graph, {})
