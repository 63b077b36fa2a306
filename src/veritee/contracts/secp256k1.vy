# pragma version ~=0.4.3
"""
@title secp256k1 helpers
@custom:contract-name secp256k1
@license Apache-2.0
@notice Stateless helpers shared by veritee contracts: curve-membership of
        public points and strict recovery of 65-byte signatures.
"""

# Field prime of secp256k1.
P: constant(uint256) = 115792089237316195423570985008687907853269984665640564039457584007908834671663
# Half the group order: larger `s` values are the malleable twin of a signature.
HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168


@internal
@pure
def _on_curve(x: uint256, y: uint256) -> bool:
    """
    @dev Whether (x, y) is an affine secp256k1 point: y² = x³ + 7 (mod p),
         coordinates reduced. The point at infinity (0, 0) is rejected.
    """
    if x == 0 and y == 0:
        return False
    if x >= P or y >= P:
        return False
    lhs: uint256 = uint256_mulmod(y, y, P)
    rhs: uint256 = uint256_addmod(uint256_mulmod(uint256_mulmod(x, x, P), x, P), 7, P)
    return lhs == rhs


@internal
@pure
def _recover(digest: bytes32, signature: Bytes[65]) -> address:
    """
    @dev The signer of `digest`, or the zero address if the signature is
         not exactly 65 bytes `r ‖ s ‖ v`, has `v` outside {27, 28}, has a
         high `s`, or does not recover.
    """
    if len(signature) != 65:
        return empty(address)
    r: uint256 = extract32(signature, 0, output_type=uint256)
    s: uint256 = extract32(signature, 32, output_type=uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    if v != 27 and v != 28:
        return empty(address)
    if s > HALF_N:
        return empty(address)
    return ecrecover(digest, v, r, s)
