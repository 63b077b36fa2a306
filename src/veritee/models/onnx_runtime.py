"""ONNX models on onnxruntime's CPU provider, configured for a worker inside a TEE.

Sessions are built from the artifact bytes (never a path), run sequentially with a fixed
number of intra-op threads that do not spin between calls, ask for deterministic kernels, and
keep onnxruntime's logging to errors and its telemetry off: a worker must not print anything
about the inputs it runs on. ``onnxruntime`` is imported on first use, so that code which only
reads result documents does not pay for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from veritee.exceptions import ConfigError, ModelRuntimeError, UnsupportedModel
from veritee.models.runtime import LoadedModel, ModelRuntime, TensorSpec

__all__ = ["MAX_THREADS", "OnnxModel", "OnnxRuntime"]

#: The most intra-op threads one session may use.
MAX_THREADS = 256

# onnxruntime's "tensor(<type>)" names, mapped to NumPy dtype names. Strings, bfloat16 and
# non-tensor values (sequences, maps, optionals) are not served.
_ONNX_TENSOR_DTYPES = {
    "tensor(float)": "float32",
    "tensor(double)": "float64",
    "tensor(float16)": "float16",
    "tensor(int8)": "int8",
    "tensor(int16)": "int16",
    "tensor(int32)": "int32",
    "tensor(int64)": "int64",
    "tensor(uint8)": "uint8",
    "tensor(uint16)": "uint16",
    "tensor(uint32)": "uint32",
    "tensor(uint64)": "uint64",
    "tensor(bool)": "bool",
}

# Severity 3 is ERROR: warnings about graph optimisations and the like stay quiet.
_LOG_ERRORS_ONLY = 3


def _onnxruntime() -> Any:
    import onnxruntime

    onnxruntime.set_default_logger_severity(_LOG_ERRORS_ONLY)
    onnxruntime.disable_telemetry_events()
    return onnxruntime


class OnnxRuntime(ModelRuntime):
    """Loads ONNX artifacts into :class:`OnnxModel` sessions on the CPU provider.

    ``threads`` is the number of intra-op threads each session uses (1 to :data:`MAX_THREADS`);
    execution is sequential, so there are no inter-op threads.
    """

    format = "onnx"

    def __init__(self, *, threads: int = 1) -> None:
        if isinstance(threads, bool) or not isinstance(threads, int):
            raise ConfigError(f"threads must be an integer, got {threads!r}")
        if not 1 <= threads <= MAX_THREADS:
            raise ConfigError(f"threads must be between 1 and {MAX_THREADS}, got {threads}")
        self.threads = threads

    def _session_options(self, ort: Any) -> Any:
        options = ort.SessionOptions()
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = _LOG_ERRORS_ONLY
        options.use_deterministic_compute = True
        # Idle threads would otherwise busy-wait for the next call and burn the worker's CPU.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return options

    def load(self, artifact: bytes) -> OnnxModel:
        """An :class:`OnnxModel` for the ONNX bytes ``artifact``.

        Raises :class:`~veritee.exceptions.ModelRuntimeError` when onnxruntime cannot parse or
        initialise the model and :class:`~veritee.exceptions.UnsupportedModel` when it has an
        input or output that is not a numeric or boolean tensor.
        """
        if not isinstance(artifact, bytes | bytearray | memoryview):
            raise ModelRuntimeError(f"an ONNX artifact must be bytes, got {type(artifact)}")
        data = bytes(artifact)
        if not data:
            raise ModelRuntimeError("cannot load ONNX model: the artifact is empty")
        ort = _onnxruntime()
        try:
            session = ort.InferenceSession(
                data, sess_options=self._session_options(ort), providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise ModelRuntimeError(f"cannot load ONNX model: {_first_line(exc)}") from exc
        inputs = tuple(_tensor_spec(arg, "input") for arg in session.get_inputs())
        outputs = tuple(_tensor_spec(arg, "output") for arg in session.get_outputs())
        metadata = dict(session.get_modelmeta().custom_metadata_map)
        return OnnxModel(session, inputs, outputs, hashlib.sha256(data).digest(), metadata)


class OnnxModel(LoadedModel):
    """An onnxruntime ``InferenceSession`` behind the :class:`LoadedModel` interface.

    Safe to call from several threads at once (onnxruntime sessions are).
    """

    def __init__(
        self,
        session: Any,
        inputs: tuple[TensorSpec, ...],
        outputs: tuple[TensorSpec, ...],
        sha256: bytes,
        metadata: Mapping[str, str],
    ) -> None:
        self._session = session
        self.inputs = inputs
        self.outputs = outputs
        self.sha256 = sha256
        self.metadata = MappingProxyType(dict(metadata))

    def __repr__(self) -> str:
        return f"OnnxModel(sha256={self.sha256.hex()})"

    def _execute(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        try:
            values = self._session.run(None, inputs)
        except Exception as exc:
            raise ModelRuntimeError(f"ONNX model failed to run: {_first_line(exc)}") from exc
        return {
            spec.name: np.asarray(value) for spec, value in zip(self.outputs, values, strict=True)
        }


def _tensor_spec(arg: Any, role: str) -> TensorSpec:
    dtype = _ONNX_TENSOR_DTYPES.get(arg.type)
    if dtype is None:
        raise UnsupportedModel(
            f"ONNX model {role} {arg.name!r} is of type {arg.type}; only numeric and boolean "
            "tensors are supported"
        )
    # A free dimension comes back as a symbol name (str) or None; fixed ones as ints.
    shape = tuple(d if isinstance(d, int) else None for d in arg.shape)
    return TensorSpec(name=arg.name, shape=shape, dtype=dtype)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:500]
