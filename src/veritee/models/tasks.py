"""The tasks a worker runs inside its TEE: ``predict`` and ``aggregate``. Pure: no I/O.

The worker fetches and decrypts the input, the model and the capsules, then calls
:func:`parse_request` and :func:`run_task` (or :func:`failure_document` with the
:class:`TaskError`'s code) and seals :func:`encode_document` of the result to the requester.
``aggregate`` returns only statistics over many rows; no row-level value leaves the worker.
This module also re-exports the job documents (:mod:`.job_input`, :mod:`.job_result`), the
tensor helpers (:mod:`.tensors`: :func:`encode_tensor`, :func:`decode_tensor`) and the failure
codes (:mod:`.failures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from veritee.exceptions import JobError, ModelError, ModelRuntimeError
from veritee.models.datasets import RISK_FEATURES, DatasetError, read_features
from veritee.models.failures import FailureCode, TaskError
from veritee.models.job_input import TaskRequest, parse_request
from veritee.models.job_result import decode_result, encode_document, failure_document
from veritee.models.runtime import FEATURES_METADATA_KEY, LoadedModel
from veritee.models.tensors import MAX_OUTPUT_NUMBERS, decode_tensor, encode_tensor

__all__ = [
    "BATCH_ROWS",
    "MAX_OUTPUT_NUMBERS",
    "FailureCode",
    "TaskError",
    "TaskRequest",
    "decode_result",
    "decode_tensor",
    "encode_document",
    "encode_tensor",
    "failure_document",
    "parse_request",
    "run_task",
    "summarise_scores",
]

#: ``aggregate`` runs the model on this many rows at a time, so memory stays bounded.
BATCH_ROWS = 4096


def run_task(
    request: TaskRequest, model: LoadedModel, datasets: Sequence[bytes], *, job_id: int
) -> dict[str, Any]:
    """The version-1 result document of ``request`` run on ``model`` (and ``datasets``).

    ``datasets`` are the decrypted capsules of the job, in the job's order: none for
    ``predict``, at least one for ``aggregate``. Raises :class:`TaskError`: ``TASK_INVALID``
    when the request does not fit the model or the capsules, ``INPUT_UNREADABLE`` when a capsule
    is not a CSV with the feature columns, ``MODEL_FAILED`` when the model fails or produces
    values it should not (non-finite, or scores outside [0, 1] for ``aggregate``).
    """
    if request.task == "predict":
        outputs = _predict(request, model, datasets)
    elif request.task == "aggregate":
        outputs = _aggregate(request, model, datasets)
    else:
        raise TaskError(FailureCode.TASK_INVALID, f"unknown task {request.task!r}")
    return {"v": 1, "job_id": job_id, "task": request.task, "outputs": outputs}


def _cast(name: str, array: np.ndarray, dtype: str) -> np.ndarray:
    """``array`` (float64 from JSON, or a base64 object's dtype) as ``dtype``, refusing values
    the dtype cannot hold."""
    target = np.dtype(dtype)
    if array.dtype == target:
        return array  # already checked when parsed: finite floats, exact integers, 0/1 bools
    if target.kind == "f":
        with np.errstate(over="ignore"):
            cast = array.astype(target)
        if not np.all(np.isfinite(cast)):
            raise TaskError(FailureCode.TASK_INVALID, f"input {name!r} overflows {dtype}")
        return cast
    if target.kind in "iu":
        info = np.iinfo(target)
        if array.dtype.kind in "biu":
            # Compared as Python integers: exact for every integer dtype.
            if array.size and (int(array.min()) < info.min or int(array.max()) > info.max):
                raise TaskError(
                    FailureCode.TASK_INVALID, f"input {name!r} must hold {dtype} integers"
                )
            return array.astype(target)
        array = array.astype(np.float64, copy=False)
        # info.max + 1 is a power of two, so exact as a float; info.max itself may not be.
        low, high = float(info.min), float(int(info.max) + 1)
        if not np.all(np.floor(array) == array) or (
            array.size and (array.min() < low or array.max() >= high)
        ):
            raise TaskError(FailureCode.TASK_INVALID, f"input {name!r} must hold {dtype} integers")
        return array.astype(target)
    if target.kind == "b":
        if not np.all((array == 0) | (array == 1)):
            raise TaskError(FailureCode.TASK_INVALID, f"input {name!r} must hold 0 or 1")
        return array.astype(target)
    raise TaskError(FailureCode.TASK_INVALID, f"input {name!r}: dtype {dtype} is not supported")


def _run(model: LoadedModel, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    try:
        model.check_inputs(inputs)
    except ModelRuntimeError as exc:
        raise TaskError(FailureCode.TASK_INVALID, str(exc)) from exc
    try:
        return model.run(inputs)
    except ModelError as exc:
        raise TaskError(FailureCode.MODEL_FAILED, str(exc)) from exc


def _predict(request: TaskRequest, model: LoadedModel, datasets: Sequence[bytes]) -> dict[str, Any]:
    if datasets:
        raise TaskError(FailureCode.TASK_INVALID, "predict takes no capsules; use aggregate")
    if request.inputs is None:
        raise TaskError(FailureCode.TASK_INVALID, "predict needs inputs")
    dtypes = {spec.name: spec.dtype for spec in model.inputs}
    inputs = {
        name: _cast(name, array, dtypes[name]) if name in dtypes else array
        for name, array in request.inputs.items()
    }
    results = _run(model, inputs)
    if sum(array.size for array in results.values()) > MAX_OUTPUT_NUMBERS:
        raise TaskError(
            FailureCode.MODEL_FAILED, f"model outputs hold more than {MAX_OUTPUT_NUMBERS} numbers"
        )
    outputs: dict[str, Any] = {}
    for name, array in results.items():
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            raise TaskError(FailureCode.MODEL_FAILED, f"model output {name!r} is not finite")
        if request.output_encoding == "base64":
            try:
                outputs[name] = encode_tensor(array)
            except JobError as exc:
                raise TaskError(FailureCode.MODEL_FAILED, f"model output {name!r}: {exc}") from exc
        else:
            outputs[name] = array.tolist()
    return outputs


def _features(request: TaskRequest, model: LoadedModel) -> tuple[str, ...]:
    if request.features is not None:
        return request.features
    declared = model.metadata.get(FEATURES_METADATA_KEY)
    if declared:
        return tuple(name.strip() for name in declared.split(","))
    return RISK_FEATURES


def _aggregate(
    request: TaskRequest, model: LoadedModel, datasets: Sequence[bytes]
) -> dict[str, Any]:
    if not datasets:
        raise TaskError(FailureCode.TASK_INVALID, "aggregate needs at least one capsule")
    features = _features(request, model)
    if len(model.inputs) != 1 or len(model.inputs[0].shape) != 2:
        raise TaskError(
            FailureCode.TASK_INVALID, "aggregate needs a model with one [rows, features] input"
        )
    spec = model.inputs[0]
    if np.dtype(spec.dtype).kind != "f":
        raise TaskError(
            FailureCode.TASK_INVALID, f"aggregate needs a float input, not {spec.dtype}"
        )
    if spec.shape[1] is not None and spec.shape[1] != len(features):
        raise TaskError(
            FailureCode.TASK_INVALID,
            f"the model reads {spec.shape[1]} features, the request names {len(features)}",
        )
    per_capsule = []
    for index, data in enumerate(datasets):
        try:
            matrix = read_features(data, features)
        except DatasetError as exc:
            raise TaskError(FailureCode.INPUT_UNREADABLE, f"capsule {index}: {exc}") from exc
        per_capsule.append(_scores(model, spec.name, matrix))
        del matrix
    return {
        "features": list(features),
        "threshold": request.threshold,
        "bins": request.bins,
        "capsules": [summarise_scores(s, request.threshold, request.bins) for s in per_capsule],
        "overall": summarise_scores(np.concatenate(per_capsule), request.threshold, request.bins),
    }


def _scores(model: LoadedModel, input_name: str, matrix: np.ndarray) -> np.ndarray:
    """The model's score for every row of ``matrix``, run :data:`BATCH_ROWS` rows at a time."""
    dtype = model.inputs[0].dtype
    scores = np.empty(matrix.shape[0], dtype=np.float64)
    output = model.outputs[0].name
    for start in range(0, matrix.shape[0], BATCH_ROWS):
        batch = matrix[start : start + BATCH_ROWS].astype(dtype)
        result = _run(model, {input_name: batch})[output]
        if result.size != batch.shape[0] or result.shape[0] != batch.shape[0]:
            raise TaskError(
                FailureCode.MODEL_FAILED,
                f"aggregate needs one score per row; output {output!r} has shape "
                f"{list(result.shape)} for {batch.shape[0]} rows",
            )
        scores[start : start + batch.shape[0]] = result.reshape(-1)
    if not np.all((scores >= 0.0) & (scores <= 1.0)):
        raise TaskError(
            FailureCode.MODEL_FAILED, "model produced scores outside [0, 1] (or not finite)"
        )
    return scores


def summarise_scores(scores: np.ndarray, threshold: float, bins: int) -> dict[str, Any]:
    """Statistics of a 1-D array of scores in [0, 1]: only aggregates, never a row.

    ``rows``, ``mean``, ``std`` (population), ``p10``, ``p50``, ``p90`` (linear interpolation),
    ``at_or_above_threshold`` (a fraction) and ``histogram`` (``bins`` counts over equal-width
    bins of [0, 1], the last one closed). With no rows the statistics are ``None``.
    """
    histogram = np.histogram(scores, bins=bins, range=(0.0, 1.0))[0]
    if scores.size == 0:
        return {
            "rows": 0,
            "mean": None,
            "std": None,
            "p10": None,
            "p50": None,
            "p90": None,
            "at_or_above_threshold": None,
            "histogram": [0] * bins,
        }
    p10, p50, p90 = np.percentile(scores, [10.0, 50.0, 90.0])
    return {
        "rows": int(scores.size),
        "mean": float(np.mean(scores)),
        "std": float(np.std(scores)),
        "p10": float(p10),
        "p50": float(p50),
        "p90": float(p90),
        "at_or_above_threshold": float(np.mean(scores >= threshold)),
        "histogram": [int(count) for count in histogram],
    }
