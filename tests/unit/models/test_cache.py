"""check_artifact and ModelCache: nothing loads unless it hashes to its name; LRU reuse."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

import pytest

from tests.unit.models.support import mlp_artifact, risk_artifact
from veritee.exceptions import (
    BlobNotFound,
    ConfigError,
    ModelError,
    ModelIntegrityError,
    UnsupportedModel,
)
from veritee.models import ModelCache, ModelRuntime, check_artifact, runtime_for


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class CountingSource:
    """An artifact store that counts fetches (optionally slow, to widen race windows)."""

    def __init__(self, data: bytes, delay: float = 0.0) -> None:
        self.data, self.delay, self.fetches = data, delay, 0

    def __call__(self) -> bytes:
        self.fetches += 1
        time.sleep(self.delay)
        return self.data


def test_check_artifact_accepts_a_match() -> None:
    check_artifact(b"model", _sha(b"model"))


def test_check_artifact_names_both_hashes() -> None:
    expected, actual = _sha(b"registered"), _sha(b"tampered")
    with pytest.raises(ModelIntegrityError) as info:
        check_artifact(b"tampered", expected)
    assert actual.hex() in str(info.value) and expected.hex() in str(info.value)
    with pytest.raises(ModelError, match="expected SHA-256 must be 32 bytes, got 31"):
        check_artifact(b"x", bytes(31))


def test_hit_after_first_load() -> None:
    cache = ModelCache()
    source = CountingSource(risk_artifact())
    first = cache.get_or_load(_sha(source.data), "onnx", source)
    second = cache.get_or_load(_sha(source.data), "onnx", source)
    assert first is second and source.fetches == 1
    assert (cache.hits, cache.misses, cache.evictions, len(cache)) == (1, 1, 0, 1)
    assert first.sha256 in cache


def test_least_recently_used_is_evicted() -> None:
    cache = ModelCache(capacity=2)
    sources = [CountingSource(mlp_artifact(2, 3, 1, seed)) for seed in range(3)]
    a, b, c = (_sha(s.data) for s in sources)
    cache.get_or_load(a, "onnx", sources[0])
    cache.get_or_load(b, "onnx", sources[1])
    cache.get_or_load(a, "onnx", sources[0])  # a is now the most recently used
    cache.get_or_load(c, "onnx", sources[2])  # evicts b
    assert a in cache and c in cache and b not in cache and cache.evictions == 1
    cache.get_or_load(b, "onnx", sources[1])  # loads b again, evicts a
    assert [s.fetches for s in sources] == [1, 2, 1] and a not in cache
    cache.clear()
    assert len(cache) == 0


def test_tampered_artifact_is_refused_and_not_cached() -> None:
    cache = ModelCache()
    registered = _sha(risk_artifact())
    tampered = CountingSource(mlp_artifact())
    with pytest.raises(ModelIntegrityError, match=f"expected {registered.hex()}"):
        cache.get_or_load(registered, "onnx", tampered)
    assert len(cache) == 0
    genuine = CountingSource(risk_artifact())
    assert cache.get_or_load(registered, "onnx", genuine).sha256 == registered


def test_errors_propagate_and_cache_nothing() -> None:
    cache = ModelCache()

    def missing() -> bytes:
        raise BlobNotFound("no such blob")

    with pytest.raises(BlobNotFound):
        cache.get_or_load(bytes(32), "onnx", missing)
    source = CountingSource(risk_artifact())
    with pytest.raises(UnsupportedModel, match="'gguf'"):
        cache.get_or_load(_sha(source.data), "gguf", source)
    assert source.fetches == 0 and len(cache) == 0
    with pytest.raises(ModelError, match="must be 32 bytes"):
        cache.get_or_load(b"short", "onnx", source)


def test_concurrent_misses_load_once() -> None:
    loads = 0
    lock = threading.Lock()

    def counting_runtime(model_format: str) -> ModelRuntime:
        nonlocal loads
        with lock:
            loads += 1
        return runtime_for(model_format)

    cache = ModelCache(runtime=counting_runtime)
    source = CountingSource(risk_artifact(), delay=0.05)
    sha = _sha(source.data)
    results: list[object] = []
    workers: list[Callable[[], None]] = [
        lambda: results.append(cache.get_or_load(sha, "onnx", source)) for _ in range(6)
    ]
    threads = [threading.Thread(target=work) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert source.fetches == 1 and loads == 1
    assert len({id(model) for model in results}) == 1
    assert cache.misses == 1 and cache.hits == 5


@pytest.mark.parametrize("capacity", [0, -3, True, 2.5])
def test_capacity_is_checked(capacity: object) -> None:
    with pytest.raises(ConfigError, match="capacity must be a positive integer"):
        ModelCache(capacity)  # type: ignore[arg-type]
