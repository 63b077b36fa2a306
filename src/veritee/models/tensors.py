"""Tensors in job documents: nested JSON lists, or the compact base64 object form.

A tensor in a ``predict`` input (and, when the request asks for ``"output_encoding":
"base64"``, in a ``predict`` result) may be written as an object::

    {"dtype": "float32", "shape": [2000, 6], "data": "<base64>"}

``dtype`` is one of :data:`TENSOR_DTYPES`; ``shape`` lists the dimensions (``[]`` for a scalar);
``data`` is the standard, padded base64 (RFC 4648 §4, no line breaks) of the tensor's
little-endian bytes in C order, ``1`` byte per ``bool`` (``0`` or ``1``). Decoding is strict:
exactly those three fields, a known dtype, non-negative integer dimensions, exactly as many
bytes as the shape needs, canonical base64 and finite floats. Decoding costs one base64 pass and
one copy, never a Python step per number.

:func:`encode_tensor` and :func:`decode_tensor` are the client's helpers; the worker's parser
(:mod:`.job_input`) and the result check (:mod:`.job_result`) use
:func:`decode_tensor_object` with their own limits and error types.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from veritee.exceptions import JobError

__all__ = [
    "MAX_OUTPUT_NUMBERS",
    "MAX_TENSOR_RANK",
    "TENSOR_DTYPES",
    "TENSOR_FIELDS",
    "TensorFormatError",
    "decode_tensor",
    "decode_tensor_object",
    "encode_tensor",
]

#: The dtypes the object form knows.
TENSOR_DTYPES = ("bool", "float32", "float64", "int32", "int64")
#: The fields of the object form, exactly.
TENSOR_FIELDS = frozenset({"dtype", "shape", "data"})
#: The most numbers a ``predict`` result may hold (and :func:`decode_tensor`'s default limit).
MAX_OUTPUT_NUMBERS = 1_000_000
#: The highest rank :func:`encode_tensor` writes and :func:`decode_tensor` reads. ``predict``
#: inputs are held to :data:`~veritee.models.job_input.MAX_INPUT_RANK`.
MAX_TENSOR_RANK = 32

_FIELD_LIST = "dtype, shape and data"
# The dtype a NumPy dtype is written as: itself, or the smallest listed one holding all values.
_WIDER = {
    "float16": "float32",
    "int8": "int32",
    "int16": "int32",
    "uint8": "int32",
    "uint16": "int32",
    "uint32": "int64",
    "uint64": "int64",
}
_INT64_MAX = int(np.iinfo(np.int64).max)
_NUMBER_KINDS = "biuf"


class TensorFormatError(ValueError):
    """A malformed tensor object. ``kind`` is ``"invalid"`` (a bad field), ``"unreadable"``
    (``data`` is not valid base64) or ``"budget"`` (more numbers than allowed); ``reason``
    names the tensor and says what is wrong, never quoting its data."""

    def __init__(
        self, reason: str, kind: Literal["invalid", "unreadable", "budget"] = "invalid"
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _canonical(data: str, raw: bytes) -> bool:
    """Whether ``data`` is exactly ``b64encode(raw)``, for ``raw`` decoded from ``data`` with
    ``validate=True``, in constant time.

    Validation leaves only the alphabet with at most two ``=`` at the end, so every 4-character
    group but the last is a full group, which decodes one-to-one to 3 bytes and encodes back to
    itself. What can differ is the length (padding missing or left over) and the last group
    (unused bits not zero): both are compared.
    """
    if len(data) != 4 * ((len(raw) + 2) // 3):
        return False
    head = 3 * (len(data) // 4 - 1)  # the bytes of every group before the last
    return base64.b64encode(raw[head:]) == data[-4:].encode("ascii")


def decode_tensor_object(
    value: Mapping[Any, Any], *, what: str, max_rank: int, max_numbers: int, budget: int
) -> np.ndarray:
    """The array in the tensor object ``value``, checked; writable, native byte order.

    ``what`` names the tensor in reasons (``"input 'x'"``). The rank may be at most
    ``max_rank``; the tensor may hold at most ``budget`` numbers (what is left of a budget
    shared with other tensors), and even a tensor with no numbers at most ``max_numbers`` in its
    non-zero dimensions together. Raises :class:`TensorFormatError`.
    """
    if set(value) != TENSOR_FIELDS:
        unknown = sorted(str(key) for key in set(value) - TENSOR_FIELDS)
        missing = sorted(TENSOR_FIELDS - set(value))
        problem = (
            f"has unknown field(s) {', '.join(_show(k) for k in unknown)}"
            if unknown
            else f"misses field(s) {', '.join(missing)}"
        )
        raise TensorFormatError(f"{what} {problem}; a tensor object has exactly {_FIELD_LIST}")
    dtype_name, shape_value, data = value["dtype"], value["shape"], value["data"]
    if not isinstance(dtype_name, str) or dtype_name not in TENSOR_DTYPES:
        raise TensorFormatError(
            f"{what} has unknown dtype {_show(dtype_name)} (supported: {', '.join(TENSOR_DTYPES)})"
        )
    if not isinstance(shape_value, list):
        raise TensorFormatError(f"{what} shape must be a list of non-negative integers")
    if len(shape_value) > max_rank:
        raise TensorFormatError(f"{what} has rank above {max_rank}")
    if any(type(dim) is not int or dim < 0 for dim in shape_value):
        raise TensorFormatError(f"{what} shape must be a list of non-negative integers")
    shape: list[int] = shape_value
    size = math.prod(shape)
    if size > budget:
        raise TensorFormatError(f"{what} holds more than {budget} numbers", "budget")
    if math.prod(dim for dim in shape if dim) > max_numbers:
        raise TensorFormatError(f"{what} shape {shape} has dimensions over {max_numbers}")
    if not isinstance(data, str):
        raise TensorFormatError(f"{what} data must be a base64 string")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:  # binascii.Error, or a non-ASCII string
        raise TensorFormatError(f"{what} data is not valid base64", "unreadable") from None
    if not _canonical(data, raw):
        raise TensorFormatError(f"{what} data is not canonical base64", "unreadable")
    dtype = np.dtype(dtype_name)
    if len(raw) != size * dtype.itemsize:
        raise TensorFormatError(
            f"{what} data holds {len(raw)} bytes; shape {shape} of {dtype_name} needs "
            f"{size * dtype.itemsize}"
        )
    wire = np.frombuffer(raw, dtype=dtype.newbyteorder("<"))
    if dtype.kind == "b" and wire.size and int(np.frombuffer(raw, dtype=np.uint8).max()) > 1:
        raise TensorFormatError(f"{what} bool data must hold only the bytes 0 and 1")
    array = wire.astype(dtype).reshape(shape)  # a copy, in native byte order
    if dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise TensorFormatError(f"{what} holds a non-finite number")
    return array


def encode_tensor(array: npt.ArrayLike) -> dict[str, Any]:
    """``array`` in the object form ``{"dtype", "shape", "data"}``, ready for a job document.

    float32, float64, int32, int64 and bool are written as they are; float16 is widened to
    float32, int8, int16, uint8 and uint16 to int32, uint32 and uint64 to int64 (all
    losslessly). Raises :class:`~veritee.exceptions.JobError` for any other dtype, a uint64
    value above the int64 range, a non-finite float, or a rank above :data:`MAX_TENSOR_RANK`.
    """
    values = np.asarray(array)
    name = _WIDER.get(values.dtype.name, values.dtype.name)
    if name not in TENSOR_DTYPES:
        raise JobError(
            f"a tensor of dtype {values.dtype} cannot be encoded "
            f"(supported: {', '.join(TENSOR_DTYPES)} and narrower numbers)"
        )
    if values.ndim > MAX_TENSOR_RANK:
        raise JobError(
            f"a tensor of rank {values.ndim} cannot be encoded (at most {MAX_TENSOR_RANK})"
        )
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        raise JobError("a tensor holding NaN or an infinity cannot be encoded")
    if values.dtype.kind == "u" and values.size and int(values.max()) > _INT64_MAX:
        raise JobError(
            f"a {values.dtype} tensor holding values above the int64 range cannot be encoded"
        )
    data = values.astype(np.dtype(name).newbyteorder("<"), copy=False).tobytes(order="C")
    return {
        "dtype": name,
        "shape": [int(dim) for dim in values.shape],
        "data": base64.b64encode(data).decode("ascii"),
    }


def decode_tensor(value: object, *, max_numbers: int = MAX_OUTPUT_NUMBERS) -> np.ndarray:
    """The ndarray a job document writes as ``value``: an object from :func:`encode_tensor`
    (its own dtype), or nested lists of numbers (int64, float64 or bool, as NumPy infers them).

    At most ``max_numbers`` numbers and rank :data:`MAX_TENSOR_RANK`. Raises
    :class:`~veritee.exceptions.JobError` naming the problem for anything else: a malformed
    object, ragged or non-numeric lists, a non-finite number.
    """
    if isinstance(value, Mapping):
        try:
            return decode_tensor_object(
                value,
                what="tensor",
                max_rank=MAX_TENSOR_RANK,
                max_numbers=max_numbers,
                budget=max_numbers,
            )
        except TensorFormatError as exc:
            raise JobError(exc.reason) from None
    try:
        array = np.array(value)
    except (ValueError, OverflowError):
        raise JobError("tensor is not a rectangular array of numbers") from None
    if array.dtype.kind not in _NUMBER_KINDS:
        raise JobError("tensor must be nested lists of numbers or a tensor object")
    if array.ndim > MAX_TENSOR_RANK:
        raise JobError(f"tensor has rank above {MAX_TENSOR_RANK}")
    if array.size > max_numbers:
        raise JobError(f"tensor holds more than {max_numbers} numbers")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise JobError("tensor holds a non-finite number")
    return array
