# pragma version ~=0.4.3
"""
@title veritee Gatekeepers
@custom:contract-name Gatekeepers
@license Apache-2.0
@notice The gatekeeper set: member addresses, threshold `t` of `n`, the
        network public key `S = s·G` and the public key shares
        `S_i = s_i·G` (secp256k1 points). Other contracts ask it whether an
        EIP-712 digest carries valid signatures from at least `t` distinct
        gatekeepers. The set is replaced by the owner (governance later);
        the key is published by the gatekeepers themselves, signed by `t`
        of them, after their distributed key generation. A new set
        (resharing) must publish the same `S`.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.utils import eip712_domain_separator

import secp256k1

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: eip712_domain_separator

exports: (
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
    eip712_domain_separator.eip712Domain,
)


MAX_GATEKEEPERS: constant(uint256) = 32


_NETWORK_KEY_TYPEHASH: constant(bytes32) = keccak256(
    "NetworkKey(uint256 epoch,uint256 keyX,uint256 keyY,bytes32 sharesHash)"
)


struct Point:
    x: uint256
    y: uint256


event GatekeepersChanged:
    epoch: indexed(uint256)
    members: DynArray[address, MAX_GATEKEEPERS]
    threshold: uint256


event NetworkKeyPublished:
    epoch: indexed(uint256)
    key: Point
    shares: DynArray[Point, MAX_GATEKEEPERS]


event NetworkKeyCleared:
    epoch: indexed(uint256)


# @dev Current members, in Shamir index order: member `i` holds share `i + 1`.
_members: DynArray[address, MAX_GATEKEEPERS]
# @dev 1-based position of a member in `_members`; 0 for non-members.
member_index: public(HashMap[address, uint256])
threshold: public(uint256)
# @dev Bumped on every change of the set and on every key reset, so key
#      publications signed for an earlier epoch cannot be replayed.
epoch: public(uint256)
_network_key: Point
_shares: DynArray[Point, MAX_GATEKEEPERS]
# @dev True once the current set has published its shares.
key_published: public(bool)


@deploy
def __init__(members: DynArray[address, MAX_GATEKEEPERS], threshold: uint256):
    """
    @notice Deploys with an initial gatekeeper set.
    @param members Gatekeeper addresses, in share-index order.
    @param threshold Signatures (and key shares) needed, `1 <= t <= n`.
    """
    ownable.__init__()
    ownable_2step.__init__()
    eip712_domain_separator.__init__("veritee Gatekeepers", "1")
    self._set_members(members, threshold)


@external
def set_gatekeepers(members: DynArray[address, MAX_GATEKEEPERS], threshold: uint256):
    """
    @notice Replaces the gatekeeper set and threshold (owner only). The
            published shares are cleared; the network key stays and the
            new set must publish shares of the same key.
    @param members New gatekeeper addresses, in share-index order.
    @param threshold New threshold, `1 <= t <= n`.
    """
    ownable._check_owner()
    self._set_members(members, threshold)


@external
def clear_network_key():
    """
    @notice Forgets the network key so that a fresh one can be generated
            (owner only). Capsules sealed to the old key become unreadable.
    @dev Bumps the epoch: otherwise anyone could replay the old key's
         publication and block the fresh key.
    """
    ownable._check_owner()
    self._network_key = empty(Point)
    self._shares = []
    self.key_published = False
    self.epoch += 1
    log NetworkKeyCleared(epoch=self.epoch)


@external
def publish_key(key: Point, shares: DynArray[Point, MAX_GATEKEEPERS], signatures: DynArray[Bytes[65], MAX_GATEKEEPERS]):
    """
    @notice Publishes the network key `S` and the public shares `S_i`,
            signed by at least `t` current gatekeepers over
            `NetworkKey(epoch, keyX, keyY, sharesHash)`.
    @param key The network public key.
    @param shares One public share per member, in member order.
    @param signatures Member signatures, ordered by ascending signer.
    """
    assert len(shares) == len(self._members), "Gatekeepers: one share per gatekeeper required"
    assert secp256k1._on_curve(key.x, key.y), "Gatekeepers: key is not a curve point"
    for share: Point in shares:
        assert secp256k1._on_curve(share.x, share.y), "Gatekeepers: share is not a curve point"
    current: Point = self._network_key
    if current.x != 0 or current.y != 0:
        assert current.x == key.x and current.y == key.y, "Gatekeepers: network key must not change"
    digest: bytes32 = eip712_domain_separator._hash_typed_data_v4(
        keccak256(abi_encode(_NETWORK_KEY_TYPEHASH, self.epoch, key.x, key.y, keccak256(abi_encode(shares))))
    )
    self._check_signatures(digest, signatures)
    self._network_key = key
    self._shares = shares
    self.key_published = True
    log NetworkKeyPublished(epoch=self.epoch, key=key, shares=shares)


@external
@view
def check_signatures(digest: bytes32, signatures: DynArray[Bytes[65], MAX_GATEKEEPERS]) -> uint256:
    """
    @notice Checks that `digest` carries valid signatures of at least `t`
            distinct gatekeepers; reverts naming the first problem.
    @dev Signatures must be 65 bytes `r ‖ s ‖ v` with `v` in {27, 28} and
         low `s`, ordered by strictly ascending signer address (which
         rules out duplicates without a storage set).
    @param digest The EIP-712 digest that was signed.
    @param signatures The signatures.
    @return uint256 The number of valid signatures.
    """
    return self._check_signatures(digest, signatures)


@external
@view
def members() -> DynArray[address, MAX_GATEKEEPERS]:
    """
    @notice The current members, in share-index order.
    @return DynArray The addresses.
    """
    return self._members


@external
@view
def n() -> uint256:
    """
    @notice Number of gatekeepers.
    @return uint256 `n`.
    """
    return len(self._members)


@external
@view
def network_key() -> Point:
    """
    @notice The network public key `S` (zero until published).
    @return Point `S`.
    """
    return self._network_key


@external
@view
def public_shares() -> DynArray[Point, MAX_GATEKEEPERS]:
    """
    @notice The public key shares `S_i`, in member order (empty until published).
    @return DynArray The shares.
    """
    return self._shares


@internal
def _set_members(members: DynArray[address, MAX_GATEKEEPERS], threshold: uint256):
    assert len(members) > 0, "Gatekeepers: empty gatekeeper set"
    assert threshold >= 1 and threshold <= len(members), "Gatekeepers: threshold out of range"
    for old: address in self._members:
        self.member_index[old] = 0
    position: uint256 = 0
    for member: address in members:
        assert member != empty(address), "Gatekeepers: zero address member"
        assert self.member_index[member] == 0, "Gatekeepers: duplicate member"
        position += 1
        self.member_index[member] = position
    self._members = members
    self.threshold = threshold
    self._shares = []
    self.key_published = False
    self.epoch += 1
    log GatekeepersChanged(epoch=self.epoch, members=members, threshold=threshold)


@internal
@view
def _check_signatures(digest: bytes32, signatures: DynArray[Bytes[65], MAX_GATEKEEPERS]) -> uint256:
    assert len(signatures) >= self.threshold, "Gatekeepers: too few signatures"
    previous: uint256 = 0
    for signature: Bytes[65] in signatures:
        assert len(signature) == 65, "Gatekeepers: malformed signature"
        r: uint256 = extract32(signature, 0, output_type=uint256)
        s: uint256 = extract32(signature, 32, output_type=uint256)
        v: uint256 = convert(slice(signature, 64, 1), uint256)
        assert v == 27 or v == 28, "Gatekeepers: malformed signature"
        assert s <= secp256k1.HALF_N, "Gatekeepers: malleable signature"
        signer: address = ecrecover(digest, v, r, s)
        assert signer != empty(address), "Gatekeepers: invalid signature"
        assert self.member_index[signer] != 0, "Gatekeepers: signer is not a gatekeeper"
        current: uint256 = convert(signer, uint256)
        assert current != previous, "Gatekeepers: duplicate signer"
        assert current > previous, "Gatekeepers: signers not in ascending order"
        previous = current
    return len(signatures)
