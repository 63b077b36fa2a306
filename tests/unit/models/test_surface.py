"""Pins the public surface of veritee.models and the names other packages code against."""

from __future__ import annotations

import veritee.models
import veritee.models.builders
import veritee.models.datasets
import veritee.models.tasks


def test_models_surface() -> None:
    assert sorted(veritee.models.__all__) == sorted(
        [
            "LoadedModel",
            "ModelCache",
            "ModelRuntime",
            "OnnxRuntime",
            "TensorSpec",
            "check_artifact",
            "runtime_for",
        ]
    )
    for name in veritee.models.__all__:
        assert hasattr(veritee.models, name)


def test_submodule_names() -> None:
    for name in ("RISK_FEATURES", "build_risk_model", "build_mlp"):
        assert name in veritee.models.builders.__all__
    for name in ("synthetic_patients", "read_features", "RISK_FEATURES", "DatasetError"):
        assert name in veritee.models.datasets.__all__
    for name in (
        "FailureCode",
        "TaskError",
        "TaskRequest",
        "parse_request",
        "run_task",
        "failure_document",
        "encode_document",
        "decode_result",
        "encode_tensor",
        "decode_tensor",
    ):
        assert name in veritee.models.tasks.__all__
    for module in (veritee.models.builders, veritee.models.datasets, veritee.models.tasks):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)


def test_reading_results_does_not_import_the_runtimes() -> None:
    import subprocess
    import sys

    code = (
        "import sys, veritee.models.tasks; "
        "print(any(m in sys.modules for m in ('onnx', 'onnxruntime')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
