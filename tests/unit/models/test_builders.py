"""The built models: deterministic bytes, the documented weights, valid ONNX for opset 17."""

from __future__ import annotations

import hashlib

import numpy as np
import onnx
import pytest

from tests.unit.models.support import risk_model, risk_numpy
from veritee.exceptions import ModelError
from veritee.models import OnnxRuntime
from veritee.models.builders import (
    ONNX_IR_VERSION,
    ONNX_OPSET,
    RISK_FEATURES,
    RISK_MODEL,
    build_mlp,
    build_risk_model,
)


def test_risk_model_is_byte_identical_across_calls() -> None:
    first = build_risk_model()
    assert build_risk_model() == first
    assert hashlib.sha256(first).digest() == risk_model().sha256


def test_risk_model_is_valid_onnx_with_its_metadata() -> None:
    model = onnx.load_from_string(build_risk_model())
    onnx.checker.check_model(model, full_check=True)
    assert model.ir_version == ONNX_IR_VERSION
    assert [(o.domain, o.version) for o in model.opset_import] == [("", ONNX_OPSET)]
    props = {p.key: p.value for p in model.metadata_props}
    assert props["veritee.features"] == "age,bmi,systolic_bp,hba1c,prior_admissions,smoker"
    assert "not medical advice" in props["veritee.description"]


def test_risk_weights_have_the_documented_shape() -> None:
    assert RISK_FEATURES == ("age", "bmi", "systolic_bp", "hba1c", "prior_admissions", "smoker")
    w = RISK_MODEL
    assert len(w.mean) == len(w.scale) == len(w.w1) == 6
    assert all(len(row) == 8 for row in w.w1)
    assert len(w.b1) == len(w.w2) == 8
    assert all(s > 0 for s in w.scale) and all(v > 0 for v in w.w2)


def test_risk_rises_with_every_feature() -> None:
    # Net first-layer weight per feature is positive and w2 is positive: more of any risk
    # factor, holding the others at their means, never lowers the score.
    base = np.array([RISK_MODEL.mean], dtype=np.float32)
    for column in range(6):
        higher = base.copy()
        higher[0, column] += 2 * RISK_MODEL.scale[column]
        before = risk_model().run({"features": base})["risk"][0, 0]
        after = risk_model().run({"features": higher})["risk"][0, 0]
        assert after > before, RISK_FEATURES[column]


def test_risk_extremes_stay_in_unit_interval() -> None:
    extremes = np.array([[18, 15, 85, 4, 0, 0], [99, 55, 220, 14, 12, 1]], dtype=np.float32)
    risk = risk_model().run({"features": extremes})["risk"]
    np.testing.assert_allclose(risk, risk_numpy(extremes), atol=2e-6)
    assert 0.0 < risk[0, 0] < 0.01 < 0.75 < risk[1, 0] < 1.0


def test_mlp_is_deterministic_per_seed() -> None:
    assert build_mlp(3, 5, 2, seed=1) == build_mlp(3, 5, 2, seed=1)
    assert build_mlp(3, 5, 2, seed=1) != build_mlp(3, 5, 2, seed=2)
    model = OnnxRuntime().load(build_mlp(3, 5, 2))
    assert [(s.name, s.shape) for s in model.inputs] == [("x", (None, 3))]
    assert [(s.name, s.shape) for s in model.outputs] == [("y", (None, 2))]


@pytest.mark.parametrize(
    ("args", "message"),
    [((0, 4, 1), "n_inputs"), ((4, -1, 1), "hidden"), ((4, 4, True), "n_outputs")],
)
def test_mlp_checks_its_sizes(args: tuple[int, int, int], message: str) -> None:
    with pytest.raises(ModelError, match=f"{message} must be an integer in 1..65536"):
        build_mlp(*args)
