"""Encoding and randomness plumbing shared by the recipes in ``veritee.crypto``.

Every byte string that goes into a hash, a KDF ``info`` or an HPKE ``info`` is built with
:func:`frame`: each part is length-prefixed, so two different tuples of parts can never encode to
the same bytes (no ``("ab", "c")`` versus ``("a", "bc")`` ambiguity).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

__all__ = ["Rng", "address_bytes", "default_rng", "frame", "uint_bytes"]

Rng = Callable[[int], bytes]
"""A source of randomness: called with a byte count, returns that many random bytes.

Recipes take one as ``rng`` (default :data:`default_rng`) so tests can pass a seeded one.
"""

default_rng: Rng = os.urandom

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def frame(*parts: bytes) -> bytes:
    """Concatenate ``parts``, each prefixed with its length as 4 big-endian bytes."""
    out = bytearray()
    for part in parts:
        out += len(part).to_bytes(4, "big")
        out += part
    return bytes(out)


def uint_bytes(value: int, size: int = 32, *, name: str = "value") -> bytes:
    """``value`` as ``size`` big-endian bytes; raises ValueError if it does not fit."""
    if not 0 <= value < 1 << (8 * size):
        raise ValueError(f"{name} must be an unsigned {8 * size}-bit integer, got {value}")
    return value.to_bytes(size, "big")


def address_bytes(address: str) -> bytes:
    """The 20 bytes of a ``0x``-prefixed hex address (any letter case).

    Case is ignored on purpose: the binding is to the address, not to one spelling of it.
    """
    if not isinstance(address, str) or _ADDRESS.fullmatch(address) is None:
        raise ValueError(f"expected a 0x-prefixed 20-byte hex address, got {address!r}")
    return bytes.fromhex(address[2:])
