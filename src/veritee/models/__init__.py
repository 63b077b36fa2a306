"""veritee.models: content-addressed model artifacts and the runtimes that run them.

- :class:`ModelRuntime` / :func:`runtime_for`: load an artifact of a format (``onnx``:
  :class:`OnnxRuntime`) into a :class:`LoadedModel` whose :class:`TensorSpec` inputs and
  outputs every :meth:`~LoadedModel.run` is checked against;
- :func:`check_artifact` and :class:`ModelCache`: nothing loads before its bytes hash to the
  registered SHA-256, and a worker loads each model once;
- :mod:`veritee.models.tasks`: the job documents and the pure ``predict`` / ``aggregate`` tasks;
- :mod:`veritee.models.builders` and :mod:`veritee.models.datasets`: tiny real models and
  synthetic data for demos, tests and benchmarks.
"""

from veritee.models.cache import ModelCache, check_artifact
from veritee.models.onnx_runtime import OnnxRuntime
from veritee.models.runtime import LoadedModel, ModelRuntime, TensorSpec, runtime_for

__all__ = [
    "LoadedModel",
    "ModelCache",
    "ModelRuntime",
    "OnnxRuntime",
    "TensorSpec",
    "check_artifact",
    "runtime_for",
]
