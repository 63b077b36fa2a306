"""Model benchmarks: synthetic data, feature reading, and the aggregate task on the risk model.

Prints its figures, and as the last line one JSON object with ``synthetic_rows_per_s``,
``read_rows_per_s``, ``aggregate_rows_per_s`` and ``aggregate_ratio_vs_numpy``: the time
``run_task`` takes for ``aggregate`` (CSV parsing, onnxruntime in 4096-row batches,
statistics) over the time the same work takes as ``read_features`` plus a plain NumPy forward
pass with the same weights and the same statistics, both measured in this run.

    .venv/bin/python bench/models.py [--rows 200000] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import numpy as np

from veritee.models import OnnxRuntime
from veritee.models.builders import RISK_MODEL, build_risk_model
from veritee.models.datasets import RISK_FEATURES, read_features, synthetic_patients
from veritee.models.tasks import TaskRequest, run_task, summarise_scores


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """The fastest of ``repeats`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def numpy_aggregate(matrix: np.ndarray) -> dict[str, object]:
    """The baseline: the risk model's forward pass and statistics in NumPy."""
    w = RISK_MODEL
    z = (matrix.astype(np.float64) - np.array(w.mean)) / np.array(w.scale)
    hidden = np.tanh(z @ np.array(w.w1) + np.array(w.b1))
    scores = 1.0 / (1.0 + np.exp(-(hidden @ np.array(w.w2) + w.b2)))
    return summarise_scores(scores, 0.5, 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    rows, repeats = args.rows, args.repeats
    data = synthetic_patients(rows)
    synthetic = best_of(repeats, lambda: synthetic_patients(rows))
    reading = best_of(repeats, lambda: read_features(data, RISK_FEATURES))
    model = OnnxRuntime(threads=args.threads).load(build_risk_model())
    request = TaskRequest(task="aggregate", inputs=None, threshold=0.5, bins=10, features=None)
    aggregate = best_of(repeats, lambda: run_task(request, model, [data], job_id=1))
    baseline = best_of(repeats, lambda: numpy_aggregate(read_features(data, RISK_FEATURES)))

    figures = {
        "synthetic_rows_per_s": round(rows / synthetic),
        "read_rows_per_s": round(rows / reading),
        "aggregate_rows_per_s": round(rows / aggregate),
        "aggregate_ratio_vs_numpy": round(aggregate / baseline, 2),
    }
    print(f"rows: {rows}, onnxruntime threads: {args.threads}, best of {repeats}")
    print(f"synthetic_patients: {synthetic * 1000:.1f} ms")
    print(f"read_features:      {reading * 1000:.1f} ms")
    print(f"aggregate task:     {aggregate * 1000:.1f} ms (CSV + onnxruntime + statistics)")
    print(f"numpy baseline:     {baseline * 1000:.1f} ms (read_features + NumPy forward pass)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
