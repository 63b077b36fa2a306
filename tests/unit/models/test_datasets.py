"""synthetic_patients and read_features."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from veritee.exceptions import JobError
from veritee.models.datasets import (
    RISK_FEATURES,
    WARDS,
    DatasetError,
    read_features,
    synthetic_patients,
)

HEADER = ["patient_id", "ward", *RISK_FEATURES]


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_columns_and_row_count() -> None:
    data = synthetic_patients(500, seed=1)
    assert data.decode("utf-8").splitlines()[0].split(",") == HEADER
    rows = _rows(data)
    assert len(rows) == 500
    assert len({row["patient_id"] for row in rows}) == 500
    assert {row["ward"] for row in rows} <= set(WARDS)
    assert synthetic_patients(0) == (",".join(HEADER) + "\n").encode()


def test_deterministic_per_seed_and_different_across_seeds() -> None:
    assert synthetic_patients(300, seed=4) == synthetic_patients(300, seed=4)
    assert synthetic_patients(300, seed=4) != synthetic_patients(300, seed=5)


def test_plausible_distributions() -> None:
    x = read_features(synthetic_patients(20_000, seed=2), RISK_FEATURES)
    age, bmi, sbp, hba1c, admissions, smoker = x.T
    assert age.min() >= 18 and age.max() <= 99 and 58 < age.mean() < 66
    assert bmi.min() >= 15 and bmi.max() <= 55 and 26 < bmi.mean() < 29
    assert sbp.min() >= 85 and sbp.max() <= 220 and 120 < sbp.mean() < 135
    assert hba1c.min() >= 4 and hba1c.max() <= 14 and 5.8 < hba1c.mean() < 6.4
    assert set(np.unique(admissions)) <= set(range(13)) and 0.9 < admissions.mean() < 1.7
    assert set(np.unique(smoker)) == {0.0, 1.0} and 0.17 < smoker.mean() < 0.23
    assert np.corrcoef(age, sbp)[0, 1] > 0.1


def test_read_features_selects_columns_in_order() -> None:
    data = b"\xef\xbb\xbfid, b ,a,c\r\n1,2.5,-3,x\r\n\r\n2,1e2,4,y\r\n"
    x = read_features(data, ["a", "b"])
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, [[-3.0, 2.5], [4.0, 100.0]])
    assert read_features(b"a,b\n", ["b"]).shape == (0, 1)


def test_read_features_matches_the_written_values() -> None:
    data = synthetic_patients(50, seed=9)
    x = read_features(data, RISK_FEATURES)
    expected = [[float(row[name]) for name in RISK_FEATURES] for row in _rows(data)]
    np.testing.assert_array_equal(x, np.array(expected, dtype=np.float32))


@pytest.mark.parametrize(
    ("data", "features", "message"),
    [
        (b"", ["a"], "dataset is empty"),
        (b"a,b\n1,2\n", ["c"], "dataset has no column 'c'"),
        (b"a,a\n1,2\n", ["a"], "column 'a' more than once"),
        (b"a,b\n1,2\n3\n", ["a"], "row 2 has 1 fields, the header has 2"),
        (b"a,b\n1,2\n3,secret-value\n", ["b"], r"row 2, column 'b': value is not a finite"),
        (b"a\nnan\n", ["a"], "row 1, column 'a': value is not a finite"),
        (b"a\n1e39\n", ["a"], "row 1, column 'a': value is not a finite float32"),
        (b"a\n\xff\n", ["a"], r"not UTF-8 text \(byte 2\)"),
        (b'a\n"1\n', ["a"], "not valid CSV"),
        (b"a\n1\n", [], "no feature columns"),
    ],
)
def test_read_features_errors(data: bytes, features: list[str], message: str) -> None:
    with pytest.raises(DatasetError, match=message) as info:
        read_features(data, features)
    assert isinstance(info.value, JobError)
    assert "secret-value" not in str(info.value)


def test_read_features_bounds_rows() -> None:
    data = b"a\n" + b"1\n" * 11
    assert read_features(data, ["a"], max_rows=11).shape == (11, 1)
    with pytest.raises(DatasetError, match="more than 10 rows"):
        read_features(data, ["a"], max_rows=10)


@pytest.mark.parametrize("rows", [-1, 1_000_001, True])
def test_synthetic_rows_are_checked(rows: int) -> None:
    with pytest.raises(ValueError, match="rows must be an integer"):
        synthetic_patients(rows)
