"""Shared models for the tests, and NumPy re-implementations of the built models."""

from __future__ import annotations

from functools import cache

import numpy as np
import onnx
from onnx import numpy_helper

from veritee.models import LoadedModel, OnnxRuntime
from veritee.models.builders import RISK_MODEL, build_mlp, build_risk_model


@cache
def risk_artifact() -> bytes:
    return build_risk_model()


@cache
def risk_model() -> LoadedModel:
    return OnnxRuntime().load(risk_artifact())


def risk_numpy(features: np.ndarray) -> np.ndarray:
    """The risk model from its documented weights, in float64."""
    w = RISK_MODEL
    z = (features.astype(np.float64) - np.array(w.mean)) / np.array(w.scale)
    hidden = np.tanh(z @ np.array(w.w1) + np.array(w.b1))
    logit = hidden @ np.array(w.w2) + w.b2
    risk: np.ndarray = (1.0 / (1.0 + np.exp(-logit))).reshape(-1, 1)
    return risk


def mlp_numpy(artifact: bytes, x: np.ndarray) -> np.ndarray:
    """An MLP from :func:`build_mlp`, run with the weights read back from its ONNX graph."""
    model = onnx.load_from_string(artifact)
    weights = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    hidden = np.maximum(x.astype(np.float64) @ weights["w1"] + weights["b1"], 0.0)
    y: np.ndarray = hidden @ weights["w2"] + weights["b2"]
    return y


@cache
def mlp_artifact(n_inputs: int = 4, hidden: int = 16, n_outputs: int = 3, seed: int = 0) -> bytes:
    return build_mlp(n_inputs, hidden, n_outputs, seed=seed)
