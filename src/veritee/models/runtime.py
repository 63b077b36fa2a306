"""The interface every model runtime implements, and the factory that picks one by format.

A :class:`ModelRuntime` turns artifact bytes into a :class:`LoadedModel`; a loaded model declares
its inputs and outputs as :class:`TensorSpec` and checks every call against them before the
backend sees it, so each runtime reports a wrong name, dtype or rank the same way. Formats:
``onnx`` (:class:`~veritee.models.onnx_runtime.OnnxRuntime`). A backend module is imported only
when its format is asked for.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from veritee.exceptions import ConfigError, ModelRuntimeError, UnsupportedModel

__all__ = [
    "FEATURES_METADATA_KEY",
    "MODEL_FORMATS",
    "LoadedModel",
    "ModelRuntime",
    "TensorSpec",
    "runtime_for",
]

#: The model formats :func:`runtime_for` knows.
MODEL_FORMATS = ("onnx",)

#: Model metadata key listing, comma-separated, the dataset columns a tabular model reads.
FEATURES_METADATA_KEY = "veritee.features"


@dataclass(frozen=True)
class TensorSpec:
    """One named input or output of a model.

    ``shape`` holds ``None`` for a dimension the model leaves free (a batch size); ``dtype`` is
    a NumPy dtype name such as ``"float32"`` or ``"int64"``.
    """

    name: str
    shape: tuple[int | None, ...]
    dtype: str

    def describe(self) -> str:
        """``name: dtype[dims]``, free dimensions shown as ``?``."""
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.name}: {self.dtype}[{dims}]"


class LoadedModel(ABC):
    """A model ready to run: its declared tensors, the hash of its artifact, and :meth:`run`.

    A runtime subclasses it and implements :meth:`_execute`; :meth:`run` checks the inputs
    first, so every runtime refuses a wrong name, dtype or rank with the same message.
    """

    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    #: SHA-256 of the artifact bytes this model was loaded from.
    sha256: bytes
    #: Free-form key/value metadata the artifact carries (``veritee.features``, ...).
    metadata: Mapping[str, str] = MappingProxyType({})

    def run(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The model's outputs, by name, for ``inputs``.

        Raises :class:`~veritee.exceptions.ModelRuntimeError` naming the problem when an input
        is missing, unknown, of the wrong dtype, rank or fixed dimension (see
        :meth:`check_inputs`), or when the backend fails on them.
        """
        self.check_inputs(inputs)
        return self._execute({spec.name: inputs[spec.name] for spec in self.inputs})

    def check_inputs(self, inputs: Mapping[str, np.ndarray]) -> None:
        """Raise :class:`~veritee.exceptions.ModelRuntimeError` unless ``inputs`` fit the model.

        Names must match exactly; each value must be a NumPy array of the declared dtype and
        rank whose fixed dimensions equal the declared ones.
        """
        expected = {spec.name for spec in self.inputs}
        missing = sorted(expected - set(inputs))
        unknown = sorted(set(inputs) - expected)
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing {', '.join(repr(n) for n in missing)}")
            if unknown:
                parts.append(f"unknown {', '.join(repr(n) for n in unknown)}")
            declared = "; ".join(spec.describe() for spec in self.inputs)
            raise ModelRuntimeError(f"model inputs: {' and '.join(parts)} (model takes {declared})")
        for spec in self.inputs:
            _check_tensor(spec, inputs[spec.name])

    @abstractmethod
    def _execute(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run the backend on inputs already checked against :attr:`inputs`."""


def _check_tensor(spec: TensorSpec, value: object) -> None:
    if not isinstance(value, np.ndarray):
        raise ModelRuntimeError(
            f"model input {spec.name!r} must be a numpy array, got {type(value).__name__}"
        )
    if value.dtype.name != spec.dtype:
        raise ModelRuntimeError(
            f"model input {spec.name!r} has dtype {value.dtype.name}, expected {spec.dtype}"
        )
    if value.ndim != len(spec.shape):
        raise ModelRuntimeError(
            f"model input {spec.name!r} has rank {value.ndim} (shape {list(value.shape)}), "
            f"expected rank {len(spec.shape)} ({spec.describe()})"
        )
    for axis, (got, want) in enumerate(zip(value.shape, spec.shape, strict=True)):
        if want is not None and got != want:
            raise ModelRuntimeError(
                f"model input {spec.name!r} has {got} along axis {axis}, expected {want} "
                f"({spec.describe()})"
            )


class ModelRuntime(ABC):
    """Loads artifacts of one format into :class:`LoadedModel` objects."""

    #: The format name this runtime loads, as the Models registry records it.
    format: ClassVar[str]

    @abstractmethod
    def load(self, artifact: bytes) -> LoadedModel:
        """The model in ``artifact``.

        Raises :class:`~veritee.exceptions.ModelRuntimeError` for a malformed artifact and
        :class:`~veritee.exceptions.UnsupportedModel` for one this runtime cannot serve. The
        caller checks the artifact's hash first (:func:`~veritee.models.check_artifact`).
        """


def runtime_for(model_format: str, **options: Any) -> ModelRuntime:
    """A runtime for ``model_format``, constructed with ``options``.

    ``onnx``: :class:`~veritee.models.onnx_runtime.OnnxRuntime` (``threads``). Raises
    :class:`~veritee.exceptions.UnsupportedModel` for a format no runtime serves and
    :class:`~veritee.exceptions.ConfigError` for options the runtime does not take.
    """
    key = model_format.strip().lower()
    runtime_class: type[ModelRuntime]
    if key == "onnx":
        from veritee.models.onnx_runtime import OnnxRuntime

        runtime_class = OnnxRuntime
    else:
        raise UnsupportedModel(
            f"no runtime for model format {model_format!r} (supported: {', '.join(MODEL_FORMATS)})"
        )
    try:
        return runtime_class(**options)
    except TypeError as exc:
        raise ConfigError(f"invalid options for the {key} runtime: {exc}") from exc
