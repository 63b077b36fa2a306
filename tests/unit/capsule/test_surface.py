"""Pins the public surface of veritee.capsule: other parts code against exactly these names."""

import inspect

import veritee.capsule
from veritee.capsule import open_file, register_capsule, seal_file


def test_capsule_surface() -> None:
    assert sorted(veritee.capsule.__all__) == sorted(
        [
            "CAPSULE_VERSION",
            "DEFAULT_CHUNK_SIZE",
            "AeadSuite",
            "CapsuleHeader",
            "SealedCapsule",
            "open_bytes",
            "open_file",
            "open_stream",
            "read_header",
            "register_capsule",
            "seal_bytes",
            "seal_file",
            "seal_stream",
        ]
    )
    for name in veritee.capsule.__all__:
        assert hasattr(veritee.capsule, name)


def test_signatures() -> None:
    assert list(inspect.signature(seal_file).parameters)[:7] == [
        "src",
        "dst",
        "network_key",
        "chain_id",
        "capsules",
        "content_type",
        "chunk_size",
    ]
    assert list(inspect.signature(open_file).parameters) == ["src", "dst", "data_key"]
    assert list(inspect.signature(register_capsule).parameters) == [
        "capsules",
        "sealed",
        "uri",
        "allowed_models",
        "price",
        "max_uses",
        "expiry",
    ]
