"""Hashing public strings to secp256k1 points: RFC 9380 ``secp256k1_XMD:SHA-256_SSWU_RO_``.

The suite (RFC 9380 §8.7): ``expand_message_xmd`` with SHA-256 (§5.3.1) feeds ``hash_to_field``
with ``L = 48`` bytes per element (§5.2); each of the two field elements goes through the
simplified SWU map (§6.6.2) onto the curve ``E': y² = x³ + A'·x + B'`` isogenous to secp256k1,
then the 3-isogeny of Appendix E.1 onto secp256k1; the two points are added. The cofactor is 1.
Nobody knows the discrete log of the result, which is what named keys need from ``H(ctx)``.

The field arithmetic here is plain Python and not constant-time. That is fine: the inputs are
public context strings (a measurement, an agent id), so timing reveals nothing secret. The tests
check every RFC 9380 vector for the suite (J.8.1) and for ``expand_message_xmd`` (K.1, K.2).
"""

from __future__ import annotations

import hashlib

from veritee.crypto.secp256k1 import P, Point, add
from veritee.exceptions import CryptoError, ThresholdError

__all__ = ["expand_message_xmd", "hash_to_curve", "hash_to_field", "map_to_curve"]

# Simplified SWU on E' (RFC 9380 §8.7).
_A = 0x3F8731ABDD661ADCA08A5558F0F5D272E953D363CB6F0E5D405447C01A444533
_B = 1771
_Z = P - 11
_L = 48  # ceil((ceil(log2(p)) + k) / 8) with security level k = 128

# The 3-isogeny E' -> secp256k1 (RFC 9380 Appendix E.1): x = x_num/x_den, y = y'·y_num/y_den,
# coefficients in ascending powers of x'; the denominators are monic.
_X_NUM = (
    0x8E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38DAAAAA8C7,
    0x07D3D4C80BC321D5B9F315CEA7FD44C5D595D2FC0BF63B92DFFF1044F17C6581,
    0x534C328D23F234E6E2A413DECA25CAECE4506144037C40314ECBD0B53D9DD262,
    0x8E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38DAAAAA88C,
)
_X_DEN = (
    0xD35771193D94918A9CA34CCBB7B640DD86CD409542F8487D9FE6B745781EB49B,
    0xEDADC6F64383DC1DF7C4B2D51B54225406D36B641F5E41BBC52A56612A8C6D14,
    1,
)
_Y_NUM = (
    0x4BDA12F684BDA12F684BDA12F684BDA12F684BDA12F684BDA12F684B8E38E23C,
    0xC75E0C32D5CB7C0FA9D0A54B12A0A6D5647AB046D686DA6FDFFC90FC201D71A3,
    0x29A6194691F91A73715209EF6512E576722830A201BE2018A765E85A9ECEE931,
    0x2F684BDA12F684BDA12F684BDA12F684BDA12F684BDA12F684BDA12F38E38D84,
)
_Y_DEN = (
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFF93B,
    0x7A06534BB8BDB49FD5E9E6632722C2989467C1BFC8E8D978DFB425D2685C2573,
    0x6484AA716545CA2CF3A70C3FA8FE337E0A3D21162F0D6299A7BF8192BFD2A76F,
    1,
)


def expand_message_xmd(msg: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 §5.3.1 ``expand_message_xmd`` with SHA-256: ``length`` uniform bytes."""
    if len(dst) > 255:  # §5.3.3: long tags are hashed down
        dst = hashlib.sha256(b"H2C-OVERSIZE-DST-" + dst).digest()
    blocks = -(-length // 32)
    if not 0 < length <= 65535 or blocks > 255:
        raise ValueError("expand_message_xmd: length must be 1..8160 bytes")
    dst_prime = dst + bytes((len(dst),))
    b0 = hashlib.sha256(bytes(64) + msg + length.to_bytes(2, "big") + b"\x00" + dst_prime).digest()
    b = hashlib.sha256(b0 + b"\x01" + dst_prime).digest()
    out = bytearray(b)
    for i in range(2, blocks + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, b, strict=True))
        b = hashlib.sha256(mixed + bytes((i,)) + dst_prime).digest()
        out += b
    return bytes(out[:length])


def hash_to_field(msg: bytes, dst: bytes, count: int) -> list[int]:
    """RFC 9380 §5.2 ``hash_to_field`` into GF(p), ``count`` elements."""
    uniform = expand_message_xmd(msg, dst, count * _L)
    return [int.from_bytes(uniform[i * _L : (i + 1) * _L], "big") % P for i in range(count)]


def _inv0(x: int) -> int:
    return pow(x, P - 2, P)


def _is_square(x: int) -> bool:
    return pow(x, (P - 1) // 2, P) in (0, 1)


def _sqrt(x: int) -> int:
    return pow(x, (P + 1) // 4, P)  # p ≡ 3 (mod 4)


def _poly(coefficients: tuple[int, ...], x: int) -> int:
    acc = 0
    for c in reversed(coefficients):
        acc = (acc * x + c) % P
    return acc


def _sswu(u: int) -> tuple[int, int]:
    """The simplified SWU map onto E' (RFC 9380 §6.6.2, straight-line description)."""
    zu2 = _Z * u * u % P
    tv1 = _inv0((zu2 * zu2 + zu2) % P)
    # tv1 == 0 only for u = 0 or Z·u² = -1, the exceptional case of the map.
    x1 = _B * _inv0(_Z * _A) if tv1 == 0 else (P - _B) * _inv0(_A) * (1 + tv1)
    x1 %= P
    gx1 = (x1 * x1 * x1 + _A * x1 + _B) % P
    if _is_square(gx1):
        x, y = x1, _sqrt(gx1)
    else:
        x = zu2 * x1 % P
        y = _sqrt((x * x * x + _A * x + _B) % P)
    if u % 2 != y % 2:  # sgn0: the sign of y follows the sign of u
        y = (P - y) % P
    return x, y


def map_to_curve(u: int) -> Point | None:
    """Map a field element to secp256k1 (SSWU then the 3-isogeny); None for infinity."""
    x, y = _sswu(u)
    x_den, y_den = _poly(_X_DEN, x), _poly(_Y_DEN, x)
    if x_den == 0 or y_den == 0:  # the isogeny's kernel: the point at infinity
        return None
    return Point.from_xy(
        _poly(_X_NUM, x) * _inv0(x_den) % P, y * _poly(_Y_NUM, x) * _inv0(y_den) % P
    )


def hash_to_curve(msg: bytes, dst: bytes) -> Point:
    """RFC 9380 ``hash_to_curve`` for ``secp256k1_XMD:SHA-256_SSWU_RO_`` with tag ``dst``.

    ``dst`` must be non-empty and should name the application and purpose. Raises CryptoError in
    the (probability ~2**-256) event that the result is the point at infinity.
    """
    if not dst:
        raise ValueError("hash_to_curve: the domain separation tag must not be empty")
    q0, q1 = (map_to_curve(u) for u in hash_to_field(msg, dst, 2))
    if q0 is None or q1 is None:
        result = q1 if q0 is None else q0
    else:
        try:
            result = add(q0, q1)
        except ThresholdError:
            result = None
    if result is None:
        raise CryptoError("hash_to_curve: the input maps to the point at infinity")
    return result
