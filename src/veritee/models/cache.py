"""Content-addressed model artifacts: the hash check, and a cache of loaded models.

A model is named by the SHA-256 of its artifact, as the Models registry records it. Nothing is
loaded before its bytes hash to that name, so untrusted storage can withhold a model but never
substitute one. :class:`ModelCache` lets a worker load each model once and reuse it across jobs.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable

from veritee.exceptions import ConfigError, ModelError, ModelIntegrityError
from veritee.models.runtime import LoadedModel, ModelRuntime, runtime_for

__all__ = ["ModelCache", "check_artifact"]


def check_artifact(data: bytes, expected_sha256: bytes) -> None:
    """Raise :class:`~veritee.exceptions.ModelIntegrityError` unless ``data`` hashes to
    ``expected_sha256`` (32 bytes); the error shows both hashes in hex."""
    if len(expected_sha256) != 32:
        raise ModelError(f"expected SHA-256 must be 32 bytes, got {len(expected_sha256)}")
    actual = hashlib.sha256(data).digest()
    if not hmac.compare_digest(actual, bytes(expected_sha256)):
        raise ModelIntegrityError(
            f"model artifact hashes to {actual.hex()}, expected {bytes(expected_sha256).hex()}: "
            "the stored artifact is not the registered model"
        )


class ModelCache:
    """A thread-safe LRU of loaded models, keyed by artifact SHA-256.

    :meth:`get_or_load` returns the cached model or fetches the artifact, checks its hash and
    loads it with the runtime for its format; the least recently used model is dropped once
    more than ``capacity`` are held. Two threads asking for the same missing model load it
    once; different models load in parallel. ``runtime`` picks the runtime for a format
    (default :func:`~veritee.models.runtime_for` with no options).
    """

    def __init__(
        self,
        capacity: int = 8,
        *,
        runtime: Callable[[str], ModelRuntime] = runtime_for,
    ) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ConfigError(f"model cache capacity must be a positive integer, got {capacity!r}")
        self.capacity = capacity
        self._runtime = runtime
        self._models: OrderedDict[bytes, LoadedModel] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[bytes, threading.Lock] = {}
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._models)

    def __contains__(self, sha256: object) -> bool:
        with self._lock:
            return sha256 in self._models

    def get_or_load(
        self, sha256: bytes, model_format: str, load_artifact: Callable[[], bytes]
    ) -> LoadedModel:
        """The model whose artifact hashes to ``sha256``, loading it on a miss.

        On a miss, ``load_artifact()`` supplies the bytes (its errors propagate, e.g.
        :class:`~veritee.exceptions.BlobNotFound`); they must hash to ``sha256``
        (:class:`~veritee.exceptions.ModelIntegrityError` otherwise) before the runtime for
        ``model_format`` loads them (:class:`~veritee.exceptions.UnsupportedModel`,
        :class:`~veritee.exceptions.ModelRuntimeError`). A failed load caches nothing.
        """
        key = bytes(sha256)
        if len(key) != 32:
            raise ModelError(f"a model's SHA-256 must be 32 bytes, got {len(key)}")
        model = self._lookup(key)
        if model is not None:
            return model
        with self._lock:
            key_lock = self._loading.setdefault(key, threading.Lock())
        try:
            with key_lock:
                # Another thread may have loaded it while this one waited.
                model = self._lookup(key, count_miss=True)
                if model is not None:
                    return model
                runtime = self._runtime(model_format)
                artifact = load_artifact()
                check_artifact(artifact, key)
                model = runtime.load(artifact)
                self._insert(key, model)
                return model
        finally:
            with self._lock:
                if self._loading.get(key) is key_lock and not key_lock.locked():
                    del self._loading[key]

    def _lookup(self, key: bytes, *, count_miss: bool = False) -> LoadedModel | None:
        with self._lock:
            model = self._models.get(key)
            if model is not None:
                self._models.move_to_end(key)
                self.hits += 1
            elif count_miss:
                self.misses += 1
            return model

    def _insert(self, key: bytes, model: LoadedModel) -> None:
        with self._lock:
            self._models[key] = model
            self._models.move_to_end(key)
            while len(self._models) > self.capacity:
                self._models.popitem(last=False)
                self.evictions += 1

    def clear(self) -> None:
        """Drop every cached model."""
        with self._lock:
            self._models.clear()
