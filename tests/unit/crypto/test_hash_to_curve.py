"""RFC 9380: every secp256k1_XMD:SHA-256_SSWU_RO_ (J.8.1) and expand_message_xmd (K) vector."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from veritee.crypto.secp256k1 import P
from veritee.crypto.threshold.hash_to_curve import (
    _A,
    _B,
    expand_message_xmd,
    hash_to_curve,
    hash_to_field,
    map_to_curve,
)
from veritee.exceptions import CryptoError

VECTORS = Path(__file__).parents[2] / "vectors" / "crypto"
SUITE: dict[str, Any] = json.loads(
    (VECTORS / "rfc9380_j8_1_secp256k1_xmd_sha256_sswu_ro.json").read_text()
)
XMD: dict[str, Any] = json.loads((VECTORS / "rfc9380_k_expand_message_xmd_sha256.json").read_text())
XMD_CASES = [(group["dst"], v) for group in XMD["groups"] for v in group["vectors"]]


def xy(vector: dict[str, str], name: str) -> tuple[int, int]:
    return int(vector[f"{name}.x"], 16), int(vector[f"{name}.y"], 16)


def test_all_vectors_are_present() -> None:
    assert len(SUITE["vectors"]) == 5
    assert len(XMD_CASES) == 20
    assert len(XMD["groups"][1]["dst"]) == 256  # K.2 exercises the oversize-DST rule


@pytest.mark.parametrize("vector", SUITE["vectors"], ids=lambda v: v["msg"][:8] or "empty")
def test_hash_to_curve_vectors(vector: dict[str, str]) -> None:
    msg, dst = vector["msg"].encode(), SUITE["dst"].encode()
    u0, u1 = hash_to_field(msg, dst, 2)
    assert (u0, u1) == (int(vector["u[0]"], 16), int(vector["u[1]"], 16))
    q0, q1 = map_to_curve(u0), map_to_curve(u1)
    assert q0 is not None and q0.xy == xy(vector, "Q0")
    assert q1 is not None and q1.xy == xy(vector, "Q1")
    assert hash_to_curve(msg, dst).xy == xy(vector, "P")


@pytest.mark.parametrize(("dst", "vector"), XMD_CASES, ids=lambda x: str(len(x)))
def test_expand_message_xmd_vectors(dst: str, vector: dict[str, Any]) -> None:
    out = expand_message_xmd(vector["msg"].encode(), dst.encode(), vector["len_in_bytes"])
    assert out.hex() == vector["uniform_bytes"]


def test_sswu_lands_on_the_isogenous_curve_and_the_isogeny_on_secp256k1() -> None:
    from veritee.crypto.threshold.hash_to_curve import _sswu

    for u in (0, 1, 2, P - 1, 12345678901234567890):
        x, y = _sswu(u)
        assert (y * y - (x**3 + _A * x + _B)) % P == 0
        point = map_to_curve(u)
        assert point is not None
        px, py = point.xy
        assert (py * py - px**3 - 7) % P == 0


def test_domain_separation() -> None:
    assert hash_to_curve(b"ctx", b"A") != hash_to_curve(b"ctx", b"B")
    assert hash_to_curve(b"ctx", b"A") != hash_to_curve(b"ctx2", b"A")
    assert hash_to_curve(b"ctx", b"A") == hash_to_curve(b"ctx", b"A")


def test_argument_checks() -> None:
    with pytest.raises(ValueError, match="domain separation tag"):
        hash_to_curve(b"m", b"")
    with pytest.raises(ValueError, match="length"):
        expand_message_xmd(b"m", b"dst", 0)
    with pytest.raises(ValueError, match="length"):
        expand_message_xmd(b"m", b"dst", 255 * 32 + 1)
    assert len(expand_message_xmd(b"m", b"dst", 255 * 32)) == 255 * 32


def test_infinity_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    h2c = importlib.import_module("veritee.crypto.threshold.hash_to_curve")
    monkeypatch.setattr(h2c, "map_to_curve", lambda u: None)
    with pytest.raises(CryptoError, match="point at infinity"):
        hash_to_curve(b"m", b"dst")
