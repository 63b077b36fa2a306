# pragma version ~=0.4.3
"""
@title veritee Capsules
@custom:contract-name Capsules
@license Apache-2.0
@notice The registry of data capsules: encrypted, content-addressed
        datasets or confidential models. A capsule records its owner, the
        SHA-256 of its ciphertext, where it is stored, the threshold
        encryption point `R` (its data key is sealed to the network key with
        it), and a policy: allowed models (empty means any verified model),
        price per use, maximum uses (0 means unlimited), expiry (0 means
        never) and revocation. `Jobs` reserves a use when a job is
        submitted, releases it when the job fails or expires, and records it
        when the job settles, so `uses + pending` never exceeds `max_uses`.
@dev `R` must be a secp256k1 point never registered before: a copied `R`
     would let someone else sell access to the same sealed data key.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step

import secp256k1

initializes: ownable
initializes: ownable_2step[ownable := ownable]

exports: (
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)


MAX_ALLOWED_MODELS: constant(uint256) = 16


struct Point:
    x: uint256
    y: uint256


struct Capsule:
    owner: address
    ciphertext_sha256: bytes32
    uri: String[256]
    r: Point
    price: uint256
    max_uses: uint64
    expiry: uint64
    revoked: bool
    uses: uint64
    pending: uint64


event CapsuleRegistered:
    capsule_id: indexed(uint256)
    owner: indexed(address)
    ciphertext_sha256: bytes32
    uri: String[256]
    r: Point


event PolicyUpdated:
    capsule_id: indexed(uint256)
    allowed_models: DynArray[uint256, MAX_ALLOWED_MODELS]
    price: uint256
    max_uses: uint64
    expiry: uint64


event CapsuleRevoked:
    capsule_id: indexed(uint256)


event UseReserved:
    capsule_id: indexed(uint256)
    pending: uint64


event UseReleased:
    capsule_id: indexed(uint256)
    pending: uint64


event CapsuleUsed:
    capsule_id: indexed(uint256)
    uses: uint64


event JobsContractSet:
    jobs: address


capsules: public(HashMap[uint256, Capsule])
_allowed_models: HashMap[uint256, DynArray[uint256, MAX_ALLOWED_MODELS]]
allows_model: public(HashMap[uint256, HashMap[uint256, bool]])
capsule_count: public(uint256)
point_used: public(HashMap[bytes32, bool])
jobs: public(address)


@deploy
def __init__():
    """
    @notice Deploys an empty registry; the deployer owns it.
    """
    ownable.__init__()
    ownable_2step.__init__()


@external
def register(
    ciphertext_sha256: bytes32,
    uri: String[256],
    r: Point,
    allowed_models: DynArray[uint256, MAX_ALLOWED_MODELS],
    price: uint256,
    max_uses: uint64,
    expiry: uint64,
) -> uint256:
    """
    @notice Registers a capsule; the caller owns it.
    @param ciphertext_sha256 SHA-256 of the sealed capsule bytes.
    @param uri Where the ciphertext is stored.
    @param r The threshold-encryption point `R = r·G`.
    @param allowed_models Models allowed to read it (empty: any verified model).
    @param price Price per use, in token units.
    @param max_uses Maximum number of uses (0: unlimited).
    @param expiry Timestamp after which it can no longer be used (0: never).
    @return uint256 The new capsule id.
    """
    assert ciphertext_sha256 != empty(bytes32), "Capsules: empty ciphertext hash"
    assert secp256k1._on_curve(r.x, r.y), "Capsules: R is not a curve point"
    point_id: bytes32 = keccak256(abi_encode(r.x, r.y))
    assert not self.point_used[point_id], "Capsules: R already registered"
    self.point_used[point_id] = True
    capsule_id: uint256 = self.capsule_count + 1
    self.capsule_count = capsule_id
    self.capsules[capsule_id] = Capsule(
        owner=msg.sender,
        ciphertext_sha256=ciphertext_sha256,
        uri=uri,
        r=r,
        price=0,
        max_uses=0,
        expiry=0,
        revoked=False,
        uses=0,
        pending=0,
    )
    log CapsuleRegistered(capsule_id=capsule_id, owner=msg.sender, ciphertext_sha256=ciphertext_sha256, uri=uri, r=r)
    self._set_policy(capsule_id, allowed_models, price, max_uses, expiry)
    return capsule_id


@external
def update_policy(
    capsule_id: uint256,
    allowed_models: DynArray[uint256, MAX_ALLOWED_MODELS],
    price: uint256,
    max_uses: uint64,
    expiry: uint64,
):
    """
    @notice Replaces a capsule's policy (owner only). Jobs already submitted
            keep the price they were submitted with.
    @param capsule_id The capsule.
    @param allowed_models Models allowed to read it (empty: any verified model).
    @param price Price per use.
    @param max_uses Maximum uses (0: unlimited); not below uses already made or reserved.
    @param expiry Expiry timestamp (0: never).
    """
    capsule: Capsule = self._owned(capsule_id)
    assert not capsule.revoked, "Capsules: capsule revoked"
    self._set_policy(capsule_id, allowed_models, price, max_uses, expiry)


@external
def revoke(capsule_id: uint256):
    """
    @notice Revokes a capsule for good (owner only): no new jobs, and
            gatekeepers stop releasing its key.
    @param capsule_id The capsule.
    """
    capsule: Capsule = self._owned(capsule_id)
    assert not capsule.revoked, "Capsules: capsule revoked"
    self.capsules[capsule_id].revoked = True
    log CapsuleRevoked(capsule_id=capsule_id)


@external
def reserve(capsule_id: uint256, model_id: uint256) -> (address, uint256):
    """
    @notice Reserves one use of a capsule for a job with `model_id`
            (`Jobs` only); reverts naming the reason if the policy forbids it.
    @param capsule_id The capsule.
    @param model_id The job's model.
    @return (address, uint256) Owner and price per use.
    """
    assert msg.sender == self.jobs, "Capsules: caller is not Jobs"
    capsule: Capsule = self.capsules[capsule_id]
    self._check_use(capsule_id, capsule, model_id)
    self.capsules[capsule_id].pending = capsule.pending + 1
    log UseReserved(capsule_id=capsule_id, pending=capsule.pending + 1)
    return capsule.owner, capsule.price


@external
def release(capsule_id: uint256):
    """
    @notice Gives back a reserved use after a job failed or expired (`Jobs` only).
    @param capsule_id The capsule.
    """
    assert msg.sender == self.jobs, "Capsules: caller is not Jobs"
    pending: uint64 = self.capsules[capsule_id].pending
    assert pending > 0, "Capsules: no reserved use"
    self.capsules[capsule_id].pending = pending - 1
    log UseReleased(capsule_id=capsule_id, pending=pending - 1)


@external
def record_use(capsule_id: uint256) -> address:
    """
    @notice Turns a reserved use into a recorded use when a job settles
            (`Jobs` only).
    @param capsule_id The capsule.
    @return address The owner to pay.
    """
    assert msg.sender == self.jobs, "Capsules: caller is not Jobs"
    pending: uint64 = self.capsules[capsule_id].pending
    assert pending > 0, "Capsules: no reserved use"
    self.capsules[capsule_id].pending = pending - 1
    uses: uint64 = self.capsules[capsule_id].uses + 1
    self.capsules[capsule_id].uses = uses
    log CapsuleUsed(capsule_id=capsule_id, uses=uses)
    return self.capsules[capsule_id].owner


@external
def set_jobs(jobs: address):
    """
    @notice Sets the `Jobs` contract, the only one that counts uses (owner only).
    @param jobs Its address.
    """
    ownable._check_owner()
    assert jobs != empty(address), "Capsules: zero address"
    self.jobs = jobs
    log JobsContractSet(jobs=jobs)


@external
@view
def allowed_models(capsule_id: uint256) -> DynArray[uint256, MAX_ALLOWED_MODELS]:
    """
    @notice The models allowed to read a capsule (empty: any verified model).
    @param capsule_id The capsule.
    @return DynArray The model ids.
    """
    return self._allowed_models[capsule_id]


@external
@view
def check_use(capsule_id: uint256, model_id: uint256) -> bool:
    """
    @notice Reverts, naming the reason, unless a new job with `model_id`
            may use the capsule now (exists, not revoked, not expired, not
            used up counting reserved uses, model allowed).
    @param capsule_id The capsule.
    @param model_id The model.
    @return bool Always true (failures revert).
    """
    self._check_use(capsule_id, self.capsules[capsule_id], model_id)
    return True


@external
@view
def check_release(capsule_id: uint256, model_id: uint256) -> bool:
    """
    @notice Reverts, naming the reason, unless the key of the capsule may be
            released for a job already holding a reserved use of it with
            `model_id`: exists, not revoked, not expired, model allowed.
            Uses are not counted again (the job's reservation is one of
            them). Gatekeepers call this before releasing a key share.
    @param capsule_id The capsule.
    @param model_id The job's model.
    @return bool Always true (failures revert).
    """
    self._check_open(capsule_id, self.capsules[capsule_id], model_id)
    return True


@internal
@view
def _check_use(capsule_id: uint256, capsule: Capsule, model_id: uint256):
    self._check_open(capsule_id, capsule, model_id)
    assert capsule.max_uses == 0 or capsule.uses + capsule.pending < capsule.max_uses, "Capsules: capsule used up"


@internal
@view
def _check_open(capsule_id: uint256, capsule: Capsule, model_id: uint256):
    assert capsule.owner != empty(address), "Capsules: unknown capsule"
    assert not capsule.revoked, "Capsules: capsule revoked"
    assert capsule.expiry == 0 or block.timestamp < convert(capsule.expiry, uint256), "Capsules: capsule expired"
    assert len(self._allowed_models[capsule_id]) == 0 or self.allows_model[capsule_id][model_id], "Capsules: model not allowed"


@internal
def _set_policy(
    capsule_id: uint256,
    allowed_models: DynArray[uint256, MAX_ALLOWED_MODELS],
    price: uint256,
    max_uses: uint64,
    expiry: uint64,
):
    capsule: Capsule = self.capsules[capsule_id]
    assert max_uses == 0 or max_uses >= capsule.uses + capsule.pending, "Capsules: max uses below uses made"
    assert expiry == 0 or convert(expiry, uint256) > block.timestamp, "Capsules: expiry in the past"
    for old: uint256 in self._allowed_models[capsule_id]:
        self.allows_model[capsule_id][old] = False
    for model_id: uint256 in allowed_models:
        self.allows_model[capsule_id][model_id] = True
    self._allowed_models[capsule_id] = allowed_models
    self.capsules[capsule_id].price = price
    self.capsules[capsule_id].max_uses = max_uses
    self.capsules[capsule_id].expiry = expiry
    log PolicyUpdated(capsule_id=capsule_id, allowed_models=allowed_models, price=price, max_uses=max_uses, expiry=expiry)


@internal
@view
def _owned(capsule_id: uint256) -> Capsule:
    capsule: Capsule = self.capsules[capsule_id]
    assert capsule.owner != empty(address), "Capsules: unknown capsule"
    assert capsule.owner == msg.sender, "Capsules: caller is not the capsule owner"
    return capsule
