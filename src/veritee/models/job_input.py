"""The job input document (version 1) and its parser.

``{"v": 1, "task": "predict", "inputs": {"<name>": <tensor>, ...}}`` or
``{"v": 1, "task": "aggregate", "threshold": 0.5, "bins": 10, "features": ["age", ...]}``
(``threshold``, ``bins`` and ``features`` optional; both may carry ``"output_encoding": "json"
| "base64"``). A tensor is nested lists of numbers or a base64 object
``{"dtype", "shape", "data"}`` (:mod:`.tensors`). The parser is strict: unknown fields,
duplicate keys, ragged arrays, malformed tensor objects, non-finite numbers and oversized inputs
are refused with a :class:`~veritee.models.failures.TaskError` whose code says whose fault it is.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from veritee.models.failures import FailureCode, TaskError
from veritee.models.tensors import TensorFormatError, decode_tensor_object

__all__ = [
    "DEFAULT_BINS",
    "DEFAULT_THRESHOLD",
    "MAX_BINS",
    "MAX_DOCUMENT_BYTES",
    "MAX_FEATURES",
    "MAX_INPUT_NUMBERS",
    "MAX_INPUT_RANK",
    "MAX_INPUT_TENSORS",
    "MAX_JSON_DEPTH",
    "OUTPUT_ENCODINGS",
    "TASKS",
    "TaskRequest",
    "decode_json",
    "parse_request",
]

#: The tasks version 1 knows.
TASKS = ("aggregate", "predict")
#: How ``predict`` outputs may be written: nested lists (the default) or base64 tensor objects.
OUTPUT_ENCODINGS = ("json", "base64")

DEFAULT_THRESHOLD = 0.5
DEFAULT_BINS = 10
MAX_BINS = 100
MAX_FEATURES = 256
#: The most numbers all of a ``predict`` request's input tensors hold together.
MAX_INPUT_NUMBERS = 1_000_000
MAX_INPUT_TENSORS = 32
MAX_INPUT_RANK = 8
MAX_NAME_CHARS = 256
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
#: The deepest nesting of JSON arrays and objects a document may have.
MAX_JSON_DEPTH = 32

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# +1 for each byte that opens an array or object, -1 for each that closes one.
_BRACKET_STEPS = np.zeros(256, dtype=np.int8)
_BRACKET_STEPS[[ord("["), ord("{")]] = 1
_BRACKET_STEPS[[ord("]"), ord("}")]] = -1

_FIELDS = {
    "predict": {"v", "task", "inputs", "output_encoding"},
    "aggregate": {"v", "task", "threshold", "bins", "features", "output_encoding"},
}
# The types json.loads gives a number (bool is neither: type(True) is bool).
_NUMBER_TYPES = frozenset({int, float})
_LIST_TYPE = frozenset({list})


@dataclass(frozen=True)
class TaskRequest:
    """A parsed input document.

    ``inputs``: for ``predict``, the named input tensors (cast to the model's dtypes when the
    task runs): float64 arrays from nested lists, arrays of the object's dtype from base64
    objects; ``None`` for ``aggregate``. ``threshold`` and ``bins`` are the ``aggregate``
    parameters (defaults for ``predict``); ``features`` the dataset columns to read, or ``None``
    for the model's own. ``output_encoding`` is how ``predict`` writes its outputs: ``"json"``
    (nested lists) or ``"base64"`` (tensor objects).
    """

    task: str
    inputs: dict[str, np.ndarray] | None = None
    threshold: float = DEFAULT_THRESHOLD
    bins: int = DEFAULT_BINS
    features: tuple[str, ...] | None = None
    output_encoding: str = "json"


def _invalid(reason: str) -> TaskError:
    return TaskError(FailureCode.TASK_INVALID, reason)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise ValueError("duplicate key in a JSON object")
    return document


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _check_nesting(text: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH`, before the parser sees it.

    The C decoder recurses once per level and can overflow the C stack (a crash, not an
    exception) when the interpreter's recursion limit has been raised.
    """
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return
    # Brackets inside strings do not nest; string contents are dropped first.
    skeleton = _JSON_STRING.sub("", text).encode("utf-8")
    steps = _BRACKET_STEPS[np.frombuffer(skeleton, dtype=np.uint8)]
    steps = steps[steps != 0]
    if steps.size and int(np.cumsum(steps, dtype=np.int64).max()) > MAX_JSON_DEPTH:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")


def decode_json(plaintext: bytes) -> Any:
    """The strict JSON value in UTF-8 ``plaintext``: no duplicate keys, ``NaN`` or ``Infinity``,
    nesting at most :data:`MAX_JSON_DEPTH` deep.

    Raises ``UnicodeDecodeError`` or ``ValueError``.
    """
    text = bytes(plaintext).decode("utf-8")
    _check_nesting(text)
    return json.loads(
        text,
        object_pairs_hook=_reject_duplicates,
        parse_constant=_reject_constant,
    )


def parse_request(plaintext: bytes) -> TaskRequest:
    """The :class:`TaskRequest` in a decrypted input document.

    Raises :class:`~veritee.models.failures.TaskError` with ``INPUT_UNREADABLE`` when the bytes
    are not UTF-8 JSON (or use duplicate keys, ``NaN`` or ``Infinity``), and ``TASK_INVALID``
    when it is not a version-1 document of a known task with well-formed fields.
    """
    if len(plaintext) > MAX_DOCUMENT_BYTES:
        raise _invalid(f"input document is larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        document = decode_json(plaintext)
    except (UnicodeDecodeError, ValueError) as exc:
        raise TaskError(
            FailureCode.INPUT_UNREADABLE, f"input is not a UTF-8 JSON document: {exc}"
        ) from None
    if not isinstance(document, dict):
        raise _invalid("input document must be a JSON object")
    version = document.get("v")
    if type(version) is not int or version != 1:
        raise _invalid(f"unsupported input document version {version!r} (supported: 1)")
    task = document.get("task")
    if task not in _FIELDS:
        raise _invalid(f"unknown task {task!r} (supported: {', '.join(TASKS)})")
    unknown = sorted(set(document) - _FIELDS[task])
    if unknown:
        raise _invalid(f"unknown field(s) for task {task!r}: {', '.join(unknown)}")
    output_encoding = _parse_output_encoding(document.get("output_encoding", "json"))
    if task == "predict":
        if "inputs" not in document:
            raise _invalid("predict needs 'inputs', an object of named tensors")
        return TaskRequest(
            task="predict",
            inputs=_parse_inputs(document["inputs"]),
            output_encoding=output_encoding,
        )
    return TaskRequest(
        task="aggregate",
        threshold=_parse_threshold(document.get("threshold", DEFAULT_THRESHOLD)),
        bins=_parse_bins(document.get("bins", DEFAULT_BINS)),
        features=_parse_features(document["features"]) if "features" in document else None,
        output_encoding=output_encoding,
    )


def _parse_output_encoding(value: object) -> str:
    if not isinstance(value, str) or value not in OUTPUT_ENCODINGS:
        shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:37]}..."
        raise _invalid(f"output_encoding must be 'json' or 'base64', got {shown}")
    return value


def _parse_threshold(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(f"threshold must be a number in [0, 1], got {value!r}")
    if not 0.0 <= value <= 1.0:
        raise _invalid(f"threshold must be in [0, 1], got {value!r}")
    return float(value)


def _parse_bins(value: object) -> int:
    if type(value) is not int or not 1 <= value <= MAX_BINS:
        raise _invalid(f"bins must be an integer in 1..{MAX_BINS}, got {value!r}")
    return value


def _parse_name(value: object, what: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_NAME_CHARS:
        raise _invalid(f"{what} must be a string of 1..{MAX_NAME_CHARS} characters")
    return value


def _parse_features(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_FEATURES:
        raise _invalid(f"features must be a list of 1..{MAX_FEATURES} column names")
    names = tuple(_parse_name(name, "a feature name") for name in value)
    if len(set(names)) != len(names):
        raise _invalid("features must not repeat a column name")
    return names


def _parse_inputs(value: object) -> dict[str, np.ndarray]:
    if not isinstance(value, dict) or not 1 <= len(value) <= MAX_INPUT_TENSORS:
        raise _invalid(f"inputs must be an object of 1..{MAX_INPUT_TENSORS} named tensors")
    budget = MAX_INPUT_NUMBERS
    tensors = {}
    for name, tensor in value.items():
        _parse_name(name, "an input name")
        array = _parse_tensor(name, tensor, budget)
        budget -= array.size
        tensors[name] = array
    return tensors


def _parse_tensor(name: str, value: object, budget: int) -> np.ndarray:
    """A tensor (nested lists or a base64 object) as an array, checked finite and small."""
    if isinstance(value, dict):
        return _parse_tensor_object(name, value, budget)
    return _parse_nested(name, value, budget)


def _parse_tensor_object(name: str, value: dict[str, Any], budget: int) -> np.ndarray:
    try:
        return decode_tensor_object(
            value,
            what=f"input {name!r}",
            max_rank=MAX_INPUT_RANK,
            max_numbers=MAX_INPUT_NUMBERS,
            budget=budget,
        )
    except TensorFormatError as exc:
        if exc.kind == "budget":
            raise _invalid(f"inputs hold more than {MAX_INPUT_NUMBERS} numbers") from None
        code = (
            FailureCode.INPUT_UNREADABLE if exc.kind == "unreadable" else FailureCode.TASK_INVALID
        )
        raise TaskError(code, exc.reason) from None


def _parse_nested(name: str, value: object, budget: int) -> np.ndarray:
    """Nested lists of numbers as a float64 array, checked rectangular, finite and small."""
    shape: list[int] = []
    probe = value
    while isinstance(probe, list):
        if len(shape) == MAX_INPUT_RANK:
            raise _invalid(f"input {name!r} has rank above {MAX_INPUT_RANK}")
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    if math.prod(shape) > budget:
        raise _invalid(f"inputs hold more than {MAX_INPUT_NUMBERS} numbers")
    leaves = _leaves(value, shape)
    if leaves is None:  # something is wrong: the item-by-item walk finds it and says what
        leaves = []
        _flatten(name, value, shape, 0, leaves)
    try:
        array = np.fromiter(leaves, dtype=np.float64, count=len(leaves)).reshape(shape)
    except OverflowError:
        raise _invalid(f"input {name!r} holds a number too large for float64") from None
    if not np.all(np.isfinite(array)):
        raise _invalid(f"input {name!r} holds a non-finite number")
    return array


def _leaves(value: object, shape: list[int]) -> list[int | float] | None:
    """The numbers of a well-formed tensor of ``shape``, in C order; ``None`` if it is not one.

    Each level is checked and flattened by C-level passes (``map``, ``set``, ``chain``), not by
    a Python step per number.
    """
    level: list[Any] = [value]
    for length in shape:
        if not set(map(type, level)) <= _LIST_TYPE or not set(map(len, level)) <= {length}:
            return None
        level = list(chain.from_iterable(level))
    if not set(map(type, level)) <= _NUMBER_TYPES:
        return None
    return level


def _flatten(
    name: str, value: object, shape: list[int], depth: int, out: list[int | float]
) -> None:
    if depth == len(shape):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid(f"input {name!r} must hold only numbers, found {type(value).__name__}")
        out.append(value)
        return
    if not isinstance(value, list) or len(value) != shape[depth]:
        raise _invalid(f"input {name!r} is not a rectangular array of shape {shape}")
    if depth + 1 == len(shape):
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise _invalid(
                    f"input {name!r} must hold only numbers, found {type(item).__name__}"
                )
        out.extend(value)
        return
    for item in value:
        _flatten(name, item, shape, depth + 1, out)
