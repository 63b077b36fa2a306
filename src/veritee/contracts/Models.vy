# pragma version ~=0.4.3
"""
@title veritee Models
@custom:contract-name Models
@license Apache-2.0
@notice The model registry. A model builder registers a model version
        (name, version, artifact SHA-256, format, URI, price per use); a new
        version links to the one it replaces. A verifier role moves a
        version from registered to verified; only verified models can be
        used in jobs. The owner or a verifier deprecates a version.
@dev Status: 0 unknown, 1 registered, 2 verified, 3 deprecated.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step

initializes: ownable
initializes: ownable_2step[ownable := ownable]

exports: (
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)


STATUS_REGISTERED: constant(uint8) = 1
STATUS_VERIFIED: constant(uint8) = 2
STATUS_DEPRECATED: constant(uint8) = 3


struct Model:
    owner: address
    name: String[64]
    version: String[32]
    artifact_sha256: bytes32
    format: String[16]
    uri: String[256]
    price: uint256
    status: uint8
    previous: uint256


event ModelRegistered:
    model_id: indexed(uint256)
    owner: indexed(address)
    previous: indexed(uint256)
    name: String[64]
    version: String[32]
    artifact_sha256: bytes32
    format: String[16]
    uri: String[256]
    price: uint256


event ModelVerified:
    model_id: indexed(uint256)
    verifier: indexed(address)


event ModelDeprecated:
    model_id: indexed(uint256)
    by: indexed(address)


event ModelPriceSet:
    model_id: indexed(uint256)
    price: uint256


event VerifierSet:
    verifier: indexed(address)
    allowed: bool


models: public(HashMap[uint256, Model])
# @dev The version that replaced a model version (0 if none yet).
next_version: public(HashMap[uint256, uint256])
model_count: public(uint256)
is_verifier: public(HashMap[address, bool])


@deploy
def __init__():
    """
    @notice Deploys an empty registry; the deployer owns it.
    """
    ownable.__init__()
    ownable_2step.__init__()


@external
def register(
    name: String[64],
    version: String[32],
    artifact_sha256: bytes32,
    format: String[16],
    uri: String[256],
    price: uint256,
) -> uint256:
    """
    @notice Registers the first version of a model; the caller owns it.
    @param name Model name.
    @param version Version label.
    @param artifact_sha256 SHA-256 of the artifact bytes.
    @param format Artifact format (for example "onnx", "gguf").
    @param uri Where the artifact can be fetched.
    @param price Price per use, in token units.
    @return uint256 The new model id.
    """
    assert len(name) > 0, "Models: empty name"
    return self._register(name, version, artifact_sha256, format, uri, price, 0)


@external
def register_version(
    previous: uint256,
    version: String[32],
    artifact_sha256: bytes32,
    format: String[16],
    uri: String[256],
    price: uint256,
) -> uint256:
    """
    @notice Registers a new version of a model the caller owns, linked to
            `previous` (which must not already have a successor).
    @param previous The version it replaces.
    @param version Version label.
    @param artifact_sha256 SHA-256 of the artifact bytes.
    @param format Artifact format.
    @param uri Where the artifact can be fetched.
    @param price Price per use.
    @return uint256 The new model id.
    """
    prior: Model = self.models[previous]
    assert prior.status != 0, "Models: unknown model"
    assert prior.owner == msg.sender, "Models: caller is not the model owner"
    assert self.next_version[previous] == 0, "Models: version already superseded"
    model_id: uint256 = self._register(prior.name, version, artifact_sha256, format, uri, price, previous)
    self.next_version[previous] = model_id
    return model_id


@external
def verify(model_id: uint256):
    """
    @notice Marks a registered model version as verified (verifiers only).
    @param model_id The model.
    """
    assert self.is_verifier[msg.sender], "Models: caller is not a verifier"
    status: uint8 = self.models[model_id].status
    assert status != 0, "Models: unknown model"
    assert status == STATUS_REGISTERED, "Models: model not in registered state"
    self.models[model_id].status = STATUS_VERIFIED
    log ModelVerified(model_id=model_id, verifier=msg.sender)


@external
def deprecate(model_id: uint256):
    """
    @notice Deprecates a model version (its owner or a verifier); it can no
            longer be used in new jobs.
    @param model_id The model.
    """
    model: Model = self.models[model_id]
    assert model.status != 0, "Models: unknown model"
    assert model.owner == msg.sender or self.is_verifier[msg.sender], "Models: caller may not deprecate"
    assert model.status != STATUS_DEPRECATED, "Models: model already deprecated"
    self.models[model_id].status = STATUS_DEPRECATED
    log ModelDeprecated(model_id=model_id, by=msg.sender)


@external
def set_price(model_id: uint256, price: uint256):
    """
    @notice Sets a model's price per use (model owner only); jobs already
            submitted keep their price.
    @param model_id The model.
    @param price The new price.
    """
    model: Model = self.models[model_id]
    assert model.status != 0, "Models: unknown model"
    assert model.owner == msg.sender, "Models: caller is not the model owner"
    self.models[model_id].price = price
    log ModelPriceSet(model_id=model_id, price=price)


@external
def set_verifier(verifier: address, allowed: bool):
    """
    @notice Grants or revokes the verifier role (owner only).
    @param verifier The account.
    @param allowed Whether it may verify models.
    """
    ownable._check_owner()
    assert verifier != empty(address), "Models: zero address"
    self.is_verifier[verifier] = allowed
    log VerifierSet(verifier=verifier, allowed=allowed)


@external
@view
def terms(model_id: uint256) -> (address, uint256):
    """
    @notice Owner and price of a model that can be used in a job; reverts
            naming the reason otherwise.
    @param model_id The model.
    @return (address, uint256) Owner and price per use.
    """
    model: Model = self.models[model_id]
    assert model.status != 0, "Models: unknown model"
    assert model.status == STATUS_VERIFIED, "Models: model not verified"
    return model.owner, model.price


@external
@view
def is_usable(model_id: uint256) -> bool:
    """
    @notice Whether a model version is verified (and so usable in jobs).
    @param model_id The model.
    @return bool The answer.
    """
    return self.models[model_id].status == STATUS_VERIFIED


@internal
def _register(
    name: String[64],
    version: String[32],
    artifact_sha256: bytes32,
    format: String[16],
    uri: String[256],
    price: uint256,
    previous: uint256,
) -> uint256:
    assert artifact_sha256 != empty(bytes32), "Models: empty artifact hash"
    assert len(version) > 0, "Models: empty version"
    assert len(format) > 0, "Models: empty format"
    model_id: uint256 = self.model_count + 1
    self.model_count = model_id
    self.models[model_id] = Model(
        owner=msg.sender,
        name=name,
        version=version,
        artifact_sha256=artifact_sha256,
        format=format,
        uri=uri,
        price=price,
        status=STATUS_REGISTERED,
        previous=previous,
    )
    log ModelRegistered(
        model_id=model_id,
        owner=msg.sender,
        previous=previous,
        name=name,
        version=version,
        artifact_sha256=artifact_sha256,
        format=format,
        uri=uri,
        price=price,
    )
    return model_id
