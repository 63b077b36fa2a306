"""Tabular datasets: a synthetic patient table for demos and tests, and the feature reader.

:func:`synthetic_patients` writes a deterministic CSV of made-up patients (no real person's
data) whose columns are the risk model's features; :func:`read_features` reads named numeric
columns out of any such CSV into a float32 matrix. Errors name the row and column but never a
cell's value: a dataset may be confidential, and an error reason reaches the requester.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

import numpy as np

from veritee.exceptions import JobError

__all__ = [
    "MAX_ROWS",
    "RISK_FEATURES",
    "WARDS",
    "DatasetError",
    "read_features",
    "synthetic_patients",
]

#: The feature columns of the risk model, in the order of its input vector.
RISK_FEATURES: tuple[str, ...] = (
    "age",
    "bmi",
    "systolic_bp",
    "hba1c",
    "prior_admissions",
    "smoker",
)

#: The ``ward`` values :func:`synthetic_patients` draws from.
WARDS: tuple[str, ...] = (
    "cardiology",
    "general-medicine",
    "oncology",
    "orthopaedics",
    "respiratory",
)

#: The most data rows :func:`read_features` accepts from one dataset.
MAX_ROWS = 1_000_000


class DatasetError(JobError):
    """A dataset is not UTF-8 CSV with the requested numeric columns, or is too large."""


def synthetic_patients(rows: int, *, seed: int = 0) -> bytes:
    """A CSV (UTF-8, header line, ``\\n`` line ends) of ``rows`` synthetic patients.

    Columns: ``patient_id``, ``ward`` and :data:`RISK_FEATURES`. Each column is drawn from
    ``numpy.random.Generator(PCG64(seed))`` with a plausible adult-inpatient distribution:
    age ~ N(62, 15) clipped to 18..99; BMI ~ N(27.5, 5) clipped to 15..55; systolic blood
    pressure rising with age, N(120 + 0.3 * (age - 40), 16) clipped to 85..220 mmHg; HbA1c
    5.2 + Gamma(2, 0.45) clipped to 4..14 %; prior admissions in the last year
    Poisson(0.4 + 0.02 * (age - 18)) capped at 12; smoker Bernoulli(0.2) as 0/1. The same
    ``(rows, seed)`` always gives the same bytes.
    """
    if isinstance(rows, bool) or not isinstance(rows, int) or not 0 <= rows <= MAX_ROWS:
        raise ValueError(f"rows must be an integer in 0..{MAX_ROWS}, got {rows!r}")
    rng = np.random.Generator(np.random.PCG64(seed))
    age = np.clip(np.rint(rng.normal(62.0, 15.0, rows)), 18, 99).astype(np.int64)
    bmi = np.clip(rng.normal(27.5, 5.0, rows), 15.0, 55.0)
    systolic = np.clip(np.rint(rng.normal(120.0 + 0.3 * (age - 40), 16.0)), 85, 220)
    hba1c = np.clip(5.2 + rng.gamma(2.0, 0.45, rows), 4.0, 14.0)
    admissions = np.minimum(rng.poisson(0.4 + 0.02 * (age - 18)), 12)
    smoker = (rng.random(rows) < 0.2).astype(np.int64)
    ward = rng.integers(0, len(WARDS), rows)

    lines = ["patient_id,ward," + ",".join(RISK_FEATURES)]
    lines.extend(
        f"P{seed % 10_000:04d}-{i + 1:07d},{WARDS[w]},{a},{b:.1f},{s},{h:.1f},{p},{k}"
        for i, (w, a, b, s, h, p, k) in enumerate(
            zip(
                ward.tolist(),
                age.tolist(),
                bmi.tolist(),
                systolic.astype(np.int64).tolist(),
                hba1c.tolist(),
                admissions.tolist(),
                smoker.tolist(),
                strict=True,
            )
        )
    )
    return ("\n".join(lines) + "\n").encode("utf-8")


def read_features(
    csv_bytes: bytes, features: Sequence[str], *, max_rows: int = MAX_ROWS
) -> np.ndarray:
    """The columns ``features`` of the CSV ``csv_bytes`` as a float32 ``[rows, len(features)]``.

    The first line is the header; other columns are ignored. Raises :class:`DatasetError` when
    the bytes are not UTF-8, the header is missing or repeats a requested column, a requested
    column is missing, a row has the wrong number of fields, a value is not a finite number, or
    there are more than ``max_rows`` data rows. Blank lines are skipped.
    """
    if not features:
        raise DatasetError("no feature columns requested")
    try:
        text = bytes(csv_bytes).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"dataset is not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise DatasetError("dataset is empty: a header line is required")
        columns = _column_indexes(header, features)
        width = len(header)
        values: list[str] = []
        rows = 0
        for row in reader:
            if not row:
                continue
            if len(row) != width:
                raise DatasetError(f"row {rows + 1} has {len(row)} fields, the header has {width}")
            if rows == max_rows:
                raise DatasetError(f"dataset has more than {max_rows} rows")
            rows += 1
            values.extend([row[i] for i in columns])
    except csv.Error as exc:
        raise DatasetError(f"dataset is not valid CSV (line {reader.line_num})") from exc
    return _to_matrix(values, features)


def _column_indexes(header: list[str], features: Sequence[str]) -> list[int]:
    names = [name.strip() for name in header]
    indexes = []
    for feature in features:
        count = names.count(feature)
        if count == 0:
            raise DatasetError(f"dataset has no column {feature!r}")
        if count > 1:
            raise DatasetError(f"dataset has column {feature!r} more than once")
        indexes.append(names.index(feature))
    return indexes


def _to_matrix(values: list[str], features: Sequence[str]) -> np.ndarray:
    width = len(features)
    try:
        numbers = np.array(values, dtype=np.float64)
    except ValueError:
        numbers = np.array([_parse_or_nan(cell) for cell in values], dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        matrix = numbers.astype(np.float32).reshape(len(values) // width, width)
    bad = np.flatnonzero(~np.isfinite(matrix))
    if bad.size:
        row, column = divmod(int(bad[0]), width)
        # The cell itself stays out of the message: it may be confidential.
        raise DatasetError(
            f"row {row + 1}, column {features[column]!r}: value is not a finite float32 number"
        )
    return matrix


def _parse_or_nan(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return math.nan
