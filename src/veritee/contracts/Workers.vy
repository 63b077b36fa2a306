# pragma version ~=0.4.3
# pragma nonreentrancy on
"""
@title veritee Workers
@custom:contract-name Workers
@license Apache-2.0
@notice The registry of TEE workers. An operator registers a worker with a
        certificate signed (EIP-712) by at least `t` gatekeepers, which
        binds the enclave's signing address, its X25519 key, its
        measurement, TEE kind and TCB status, the quote's hash, and an
        expiry; plus its HTTP endpoint, price per job, models served and a
        token bond. The certificate is checked against the TEE policy when
        registered and every time the worker is used, so a measurement the
        policy drops stops being usable at once. Deregistration waits an
        unbonding delay, during which the bond can still be slashed; only
        `Jobs` can slash.
@dev A worker is identified by its enclave address (the key that signs its
     results). Status: 0 unknown, 1 active, 2 unbonding, 3 withdrawn.
     To keep registration cheap, storage holds only what contracts check,
     packed into words:
       record = operator | status << 160 | tee_kind << 168 | tcb_status << 176
                | expiry << 184 (40 bits) | measurement_id << 224 (32 bits)
       terms  = price | bond << 96 | model count << 192 | first model << 200
                | second model << 228 (96, 96, 8, 28 and 28 bits)
     Further model ids go eight to a word in `_more_models`; `unbond_at`
     gets its own word when unbonding starts. Model ids are below 2**28.
     The X25519 key, quote hash, issue time and endpoint are in the
     `WorkerRegistered`, `CertificateRenewed` and `EndpointUpdated` events.
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.utils import eip712_domain_separator

from interfaces import IGatekeepers
from interfaces import ITeePolicy

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


interface IJobsConfig:
    def max_job_duration() -> uint256: view


MAX_MODELS: constant(uint256) = 32
MAX_SIGNATURES: constant(uint256) = 32

STATUS_ACTIVE: constant(uint256) = 1
STATUS_UNBONDING: constant(uint256) = 2
STATUS_WITHDRAWN: constant(uint256) = 3

_MASK_ADDRESS: constant(uint256) = 2**160 - 1
_MASK_96: constant(uint256) = 2**96 - 1
_MASK_40: constant(uint256) = 2**40 - 1
_MASK_32: constant(uint256) = 2**32 - 1
_MASK_8: constant(uint256) = 255
_MASK_192: constant(uint256) = 2**192 - 1
_MASK_MODEL: constant(uint256) = 2**28 - 1

_CERTIFICATE_TYPEHASH: constant(bytes32) = keccak256(
    "WorkerCertificate(address enclave,address operator,bytes32 x25519Key,bytes32 measurement,uint8 teeKind,uint8 tcbStatus,bytes32 quoteHash,uint64 issuedAt,uint64 expiry)"
)


struct Certificate:
    enclave: address
    operator: address
    x25519_key: bytes32
    measurement: bytes32
    tee_kind: uint8
    tcb_status: uint8
    quote_hash: bytes32
    issued_at: uint64
    expiry: uint64


struct Worker:
    operator: address
    measurement: bytes32
    measurement_id: uint256
    tee_kind: uint8
    tcb_status: uint8
    expiry: uint64
    price: uint256
    bond: uint256
    status: uint8
    unbond_at: uint64
    models: DynArray[uint256, MAX_MODELS]


event WorkerRegistered:
    worker: indexed(address)
    operator: indexed(address)
    x25519_key: bytes32
    measurement: bytes32
    tee_kind: uint8
    tcb_status: uint8
    quote_hash: bytes32
    issued_at: uint64
    expiry: uint64
    endpoint: String[256]
    price: uint256
    models: DynArray[uint256, MAX_MODELS]
    bond: uint256


event CertificateRenewed:
    worker: indexed(address)
    x25519_key: bytes32
    tcb_status: uint8
    quote_hash: bytes32
    issued_at: uint64
    expiry: uint64


event EndpointUpdated:
    worker: indexed(address)
    endpoint: String[256]


event PriceUpdated:
    worker: indexed(address)
    price: uint256


event ModelsUpdated:
    worker: indexed(address)
    models: DynArray[uint256, MAX_MODELS]


event BondAdded:
    worker: indexed(address)
    amount: uint256
    bond: uint256


event UnbondingStarted:
    worker: indexed(address)
    unbond_at: uint64


event BondWithdrawn:
    worker: indexed(address)
    operator: indexed(address)
    amount: uint256


event WorkerSlashed:
    worker: indexed(address)
    amount: uint256
    bond: uint256


event JobsContractSet:
    jobs: address


event MinBondSet:
    amount: uint256


event UnbondingDelaySet:
    seconds: uint256


token: public(immutable(IERC20))
gatekeepers: public(immutable(IGatekeepers))
policy: public(immutable(ITeePolicy))

jobs: public(address)
min_bond: public(uint256)
unbonding_delay: public(uint256)

_records: HashMap[address, uint256]
_terms: HashMap[address, uint256]
_more_models: HashMap[address, HashMap[uint256, uint256]]
_unbond_at: HashMap[address, uint256]


@deploy
def __init__(token_: IERC20, gatekeepers_: IGatekeepers, policy_: ITeePolicy, min_bond: uint256, unbonding_delay: uint256):
    """
    @notice Deploys the registry.
    @param token_ The bond token.
    @param gatekeepers_ The gatekeeper set that signs certificates.
    @param policy_ The TEE policy certificates are checked against.
    @param min_bond Smallest bond a worker must keep.
    @param unbonding_delay Seconds between `begin_unbonding` and `withdraw_bond`;
           must exceed the longest job so that a worker cannot escape a slash.
    """
    ownable.__init__()
    ownable_2step.__init__()
    eip712_domain_separator.__init__("veritee Workers", "1")
    token = token_
    gatekeepers = gatekeepers_
    policy = policy_
    assert min_bond <= _MASK_96, "Workers: amount too large"
    self.min_bond = min_bond
    self.unbonding_delay = unbonding_delay
    log MinBondSet(amount=min_bond)
    log UnbondingDelaySet(seconds=unbonding_delay)


@external
def register(
    certificate: Certificate,
    signatures: DynArray[Bytes[65], MAX_SIGNATURES],
    endpoint: String[256],
    price: uint256,
    models: DynArray[uint256, MAX_MODELS],
    bond: uint256,
):
    """
    @notice Registers a certified worker; the caller is its operator and
            pays `bond` tokens (approve this contract first).
    @param certificate The gatekeeper certificate.
    @param signatures At least `t` gatekeeper signatures over it.
    @param endpoint The worker's HTTP endpoint.
    @param price Price per job, in token units (below 2**96).
    @param models Model ids the worker serves (below 2**28).
    @param bond Bond amount, at least `min_bond`.
    """
    assert certificate.operator == msg.sender, "Workers: caller is not the certificate operator"
    assert certificate.enclave != empty(address), "Workers: zero enclave address"
    assert self._records[certificate.enclave] == 0, "Workers: worker already registered"
    assert bond >= self.min_bond, "Workers: bond below minimum"
    assert price <= _MASK_96 and bond <= _MASK_96, "Workers: amount too large"
    measurement_id: uint256 = self._check_certificate(certificate, signatures)
    self._records[certificate.enclave] = (
        convert(msg.sender, uint256)
        | (STATUS_ACTIVE << 160)
        | (convert(certificate.tee_kind, uint256) << 168)
        | (convert(certificate.tcb_status, uint256) << 176)
        | (convert(certificate.expiry, uint256) << 184)
        | (measurement_id << 224)
    )
    self._terms[certificate.enclave] = price | (bond << 96) | self._store_models(certificate.enclave, models)
    assert extcall token.transferFrom(msg.sender, self, bond, default_return_value=True), "Workers: bond transfer failed"
    log WorkerRegistered(
        worker=certificate.enclave,
        operator=msg.sender,
        x25519_key=certificate.x25519_key,
        measurement=certificate.measurement,
        tee_kind=certificate.tee_kind,
        tcb_status=certificate.tcb_status,
        quote_hash=certificate.quote_hash,
        issued_at=certificate.issued_at,
        expiry=certificate.expiry,
        endpoint=endpoint,
        price=price,
        models=models,
        bond=bond,
    )


@external
def renew(certificate: Certificate, signatures: DynArray[Bytes[65], MAX_SIGNATURES]):
    """
    @notice Replaces a worker's certificate with one for the same enclave,
            measurement and TEE kind that expires later. Unbonding workers
            may renew too, so that they can still settle their last jobs.
    @param certificate The new certificate.
    @param signatures At least `t` gatekeeper signatures over it.
    """
    record: uint256 = self._operated(certificate.enclave)
    status: uint256 = (record >> 160) & _MASK_8
    assert status == STATUS_ACTIVE or status == STATUS_UNBONDING, "Workers: worker not registered"
    assert certificate.operator == msg.sender, "Workers: caller is not the certificate operator"
    assert convert(certificate.tee_kind, uint256) == (record >> 168) & _MASK_8, "Workers: certificate is for another enclave"
    measurement_id: uint256 = self._check_certificate(certificate, signatures)
    assert measurement_id == record >> 224, "Workers: certificate is for another enclave"
    assert convert(certificate.expiry, uint256) > (record >> 184) & _MASK_40, "Workers: certificate not newer"
    keep: uint256 = (record & _MASK_ADDRESS) | (record & (_MASK_8 << 160)) | (record & (_MASK_8 << 168))
    self._records[certificate.enclave] = (
        keep
        | (convert(certificate.tcb_status, uint256) << 176)
        | (convert(certificate.expiry, uint256) << 184)
        | (measurement_id << 224)
    )
    log CertificateRenewed(
        worker=certificate.enclave,
        x25519_key=certificate.x25519_key,
        tcb_status=certificate.tcb_status,
        quote_hash=certificate.quote_hash,
        issued_at=certificate.issued_at,
        expiry=certificate.expiry,
    )


@external
def set_endpoint(worker: address, endpoint: String[256]):
    """
    @notice Announces a worker's new HTTP endpoint (operator only).
    @param worker The worker's enclave address.
    @param endpoint The new endpoint.
    """
    self._operated(worker)
    log EndpointUpdated(worker=worker, endpoint=endpoint)


@external
def set_price(worker: address, price: uint256):
    """
    @notice Updates a worker's price per job (operator only); jobs already
            submitted keep the price they were submitted with.
    @param worker The worker's enclave address.
    @param price The new price (below 2**96).
    """
    self._operated(worker)
    assert price <= _MASK_96, "Workers: amount too large"
    self._terms[worker] = (self._terms[worker] & ~_MASK_96) | price
    log PriceUpdated(worker=worker, price=price)


@external
def set_models(worker: address, models: DynArray[uint256, MAX_MODELS]):
    """
    @notice Replaces the list of models a worker serves (operator only).
    @param worker The worker's enclave address.
    @param models The model ids (below 2**28).
    """
    self._operated(worker)
    self._terms[worker] = (self._terms[worker] & _MASK_192) | self._store_models(worker, models)
    log ModelsUpdated(worker=worker, models=models)


@external
def add_bond(worker: address, amount: uint256):
    """
    @notice Adds `amount` tokens to a worker's bond (operator only; approve first).
    @param worker The worker's enclave address.
    @param amount The amount.
    """
    record: uint256 = self._operated(worker)
    assert (record >> 160) & _MASK_8 == STATUS_ACTIVE, "Workers: worker not active"
    assert amount > 0, "Workers: zero amount"
    terms: uint256 = self._terms[worker]
    bond: uint256 = (terms >> 96) & _MASK_96
    assert bond + amount <= _MASK_96, "Workers: amount too large"
    self._terms[worker] = terms + (amount << 96)
    assert extcall token.transferFrom(msg.sender, self, amount, default_return_value=True), "Workers: bond transfer failed"
    log BondAdded(worker=worker, amount=amount, bond=bond + amount)


@external
def begin_unbonding(worker: address):
    """
    @notice Stops a worker from taking new jobs and starts the unbonding
            delay (operator only). Jobs already assigned can still settle
            or be slashed.
    @param worker The worker's enclave address.
    """
    record: uint256 = self._operated(worker)
    assert (record >> 160) & _MASK_8 == STATUS_ACTIVE, "Workers: worker not active"
    unbond_at: uint256 = block.timestamp + self.unbonding_delay
    self._records[worker] = (record & ~(_MASK_8 << 160)) | (STATUS_UNBONDING << 160)
    self._unbond_at[worker] = unbond_at
    log UnbondingStarted(worker=worker, unbond_at=convert(unbond_at, uint64))


@external
def withdraw_bond(worker: address):
    """
    @notice Pays the remaining bond back to the operator once the
            unbonding delay has passed (operator only).
    @param worker The worker's enclave address.
    """
    record: uint256 = self._operated(worker)
    assert (record >> 160) & _MASK_8 == STATUS_UNBONDING, "Workers: worker not unbonding"
    terms: uint256 = self._terms[worker]
    assert block.timestamp >= self._unbond_at[worker], "Workers: unbonding delay not over"
    bond: uint256 = (terms >> 96) & _MASK_96
    operator: address = convert(convert(record & _MASK_ADDRESS, uint160), address)
    self._records[worker] = (record & ~(_MASK_8 << 160)) | (STATUS_WITHDRAWN << 160)
    self._terms[worker] = terms & ~(_MASK_96 << 96)
    if bond > 0:
        assert extcall token.transfer(operator, bond, default_return_value=True), "Workers: bond transfer failed"
    log BondWithdrawn(worker=worker, operator=operator, amount=bond)


@external
def slash(worker: address, amount: uint256) -> uint256:
    """
    @notice Takes up to `amount` from a worker's bond and sends it to the
            caller (`Jobs` only), which distributes it.
    @param worker The worker's enclave address.
    @param amount The amount to slash.
    @return uint256 The amount actually slashed (never more than the bond).
    """
    assert msg.sender == self.jobs, "Workers: caller is not Jobs"
    terms: uint256 = self._terms[worker]
    bond: uint256 = (terms >> 96) & _MASK_96
    taken: uint256 = min(bond, amount)
    if taken == 0:
        return 0
    self._terms[worker] = terms - (taken << 96)
    assert extcall token.transfer(msg.sender, taken, default_return_value=True), "Workers: slash transfer failed"
    log WorkerSlashed(worker=worker, amount=taken, bond=bond - taken)
    return taken


@external
def set_jobs(jobs: address):
    """
    @notice Sets the `Jobs` contract, the only one allowed to slash (owner only).
    @param jobs Its address.
    """
    ownable._check_owner()
    assert jobs != empty(address), "Workers: zero address"
    self.jobs = jobs
    log JobsContractSet(jobs=jobs)


@external
def set_min_bond(amount: uint256):
    """
    @notice Sets the minimum bond (owner only).
    @param amount The new minimum (below 2**96).
    """
    ownable._check_owner()
    assert amount <= _MASK_96, "Workers: amount too large"
    self.min_bond = amount
    log MinBondSet(amount=amount)


@external
def set_unbonding_delay(seconds: uint256):
    """
    @notice Sets the unbonding delay for future deregistrations (owner only).
    @dev It must exceed the longest job: with equal lengths a worker that
         begins unbonding right after taking a job could withdraw its bond
         at the job's deadline, one second before anyone may expire the
         job and slash it.
    @param seconds The delay, longer than `Jobs.max_job_duration`.
    """
    ownable._check_owner()
    if self.jobs != empty(address):
        assert seconds > staticcall IJobsConfig(self.jobs).max_job_duration(), "Workers: delay not longer than longest job"
    self.unbonding_delay = seconds
    log UnbondingDelaySet(seconds=seconds)


@external
@view
def workers(worker: address) -> Worker:
    """
    @notice What the registry holds about a worker (status 0 if unknown).
    @param worker The worker's enclave address.
    @return Worker The worker.
    """
    record: uint256 = self._records[worker]
    terms: uint256 = self._terms[worker]
    measurement_id: uint256 = record >> 224
    measurement: bytes32 = empty(bytes32)
    if measurement_id != 0:
        measurement = (staticcall policy.measurements(measurement_id)).value
    return Worker(
        operator=convert(convert(record & _MASK_ADDRESS, uint160), address),
        measurement=measurement,
        measurement_id=measurement_id,
        tee_kind=convert((record >> 168) & _MASK_8, uint8),
        tcb_status=convert((record >> 176) & _MASK_8, uint8),
        expiry=convert((record >> 184) & _MASK_40, uint64),
        price=terms & _MASK_96,
        bond=(terms >> 96) & _MASK_96,
        status=convert((record >> 160) & _MASK_8, uint8),
        unbond_at=convert(self._unbond_at[worker], uint64),
        models=self._load_models(worker),
    )


@external
@view
def models(worker: address) -> DynArray[uint256, MAX_MODELS]:
    """
    @notice The models a worker serves.
    @param worker The worker's enclave address.
    @return DynArray The model ids.
    """
    return self._load_models(worker)


@external
@view
def serves(worker: address, model_id: uint256) -> bool:
    """
    @notice Whether a worker serves a model.
    @param worker The worker's enclave address.
    @param model_id The model.
    @return bool The answer.
    """
    return self._serves(worker, model_id)


@external
@view
def certificate_digest(certificate: Certificate) -> bytes32:
    """
    @notice The EIP-712 digest gatekeepers sign for `certificate`.
    @param certificate The certificate.
    @return bytes32 The digest.
    """
    return self._certificate_digest(certificate)


@external
@view
def check_certified(worker: address) -> bool:
    """
    @notice Reverts, naming the reason, unless the worker is registered
            (active or unbonding), its certificate is unexpired and the TEE
            policy still admits it. Used to accept its results.
    @param worker The worker's enclave address.
    @return bool Always true (failures revert).
    """
    self._check_certified(self._records[worker])
    return True


@external
@view
def check_eligible(worker: address, model_id: uint256) -> bool:
    """
    @notice Reverts, naming the reason, unless the worker can take a new
            job for `model_id`: active, certified, bonded and serving it.
    @param worker The worker's enclave address.
    @param model_id The model.
    @return bool Always true (failures revert).
    """
    record: uint256 = self._records[worker]
    assert (record >> 160) & _MASK_8 == STATUS_ACTIVE, "Workers: worker not active"
    self._check_certified(record)
    assert (self._terms[worker] >> 96) & _MASK_96 >= self.min_bond, "Workers: bond below minimum"
    assert self._serves(worker, model_id), "Workers: worker does not serve model"
    return True


@external
@view
def is_certified(worker: address) -> bool:
    """
    @notice Whether the worker is registered, unexpired and admitted by policy.
    @param worker The worker's enclave address.
    @return bool The answer.
    """
    record: uint256 = self._records[worker]
    status: uint256 = (record >> 160) & _MASK_8
    if status != STATUS_ACTIVE and status != STATUS_UNBONDING:
        return False
    if (record >> 184) & _MASK_40 <= block.timestamp:
        return False
    entry: ITeePolicy.Measurement = staticcall policy.measurements(record >> 224)
    return staticcall policy.is_allowed(entry.tee_kind, entry.value, convert((record >> 176) & _MASK_8, uint8))


@external
@view
def terms(worker: address) -> (address, uint256):
    """
    @notice The operator paid for a worker's jobs, and its price per job.
    @param worker The worker's enclave address.
    @return (address, uint256) Operator and price.
    """
    return convert(convert(self._records[worker] & _MASK_ADDRESS, uint160), address), self._terms[worker] & _MASK_96


@internal
@view
def _check_certified(record: uint256):
    status: uint256 = (record >> 160) & _MASK_8
    assert status == STATUS_ACTIVE or status == STATUS_UNBONDING, "Workers: worker not registered"
    assert (record >> 184) & _MASK_40 > block.timestamp, "Workers: certificate expired"
    assert staticcall policy.check_id(record >> 224, convert((record >> 176) & _MASK_8, uint8))


@internal
@view
def _check_certificate(certificate: Certificate, signatures: DynArray[Bytes[65], MAX_SIGNATURES]) -> uint256:
    issued_at: uint256 = convert(certificate.issued_at, uint256)
    expiry: uint256 = convert(certificate.expiry, uint256)
    assert issued_at <= block.timestamp, "Workers: certificate issued in the future"
    assert expiry > block.timestamp, "Workers: certificate expired"
    assert expiry <= _MASK_40, "Workers: certificate expiry too far"
    measurement_id: uint256 = staticcall policy.admit(
        certificate.tee_kind, certificate.measurement, certificate.tcb_status, expiry - issued_at
    )
    assert staticcall gatekeepers.check_signatures(self._certificate_digest(certificate), signatures) > 0
    return measurement_id


@internal
@view
def _certificate_digest(certificate: Certificate) -> bytes32:
    return eip712_domain_separator._hash_typed_data_v4(
        keccak256(
            abi_encode(
                _CERTIFICATE_TYPEHASH,
                certificate.enclave,
                certificate.operator,
                certificate.x25519_key,
                certificate.measurement,
                certificate.tee_kind,
                certificate.tcb_status,
                certificate.quote_hash,
                certificate.issued_at,
                certificate.expiry,
            )
        )
    )


@internal
@view
def _operated(worker: address) -> uint256:
    record: uint256 = self._records[worker]
    assert record != 0, "Workers: unknown worker"
    assert convert(convert(record & _MASK_ADDRESS, uint160), address) == msg.sender, "Workers: caller is not the operator"
    return record


@internal
def _store_models(worker: address, models: DynArray[uint256, MAX_MODELS]) -> uint256:
    # Returns the terms bits (count and first two ids); later ids go eight to
    # a word. Words past the new count are left as they are: reads stop at it.
    inline: uint256 = len(models) << 192
    word: uint256 = 0
    for i: uint256 in range(len(models), bound=MAX_MODELS):
        model_id: uint256 = models[i]
        assert model_id <= _MASK_MODEL, "Workers: model id too large"
        if i < 2:
            inline |= model_id << (200 + 28 * i)
            continue
        position: uint256 = (i - 2) % 8
        word |= model_id << (32 * position)
        if position == 7 or i == len(models) - 1:
            self._more_models[worker][(i - 2) // 8] = word
            word = 0
    return inline


@internal
@view
def _model_at(worker: address, terms: uint256, i: uint256) -> uint256:
    if i < 2:
        return (terms >> (200 + 28 * i)) & _MASK_MODEL
    return (self._more_models[worker][(i - 2) // 8] >> (32 * ((i - 2) % 8))) & _MASK_32


@internal
@view
def _load_models(worker: address) -> DynArray[uint256, MAX_MODELS]:
    terms: uint256 = self._terms[worker]
    models: DynArray[uint256, MAX_MODELS] = []
    for i: uint256 in range((terms >> 192) & _MASK_8, bound=MAX_MODELS):
        models.append(self._model_at(worker, terms, i))
    return models


@internal
@view
def _serves(worker: address, model_id: uint256) -> bool:
    terms: uint256 = self._terms[worker]
    for i: uint256 in range((terms >> 192) & _MASK_8, bound=MAX_MODELS):
        if self._model_at(worker, terms, i) == model_id:
            return True
    return False
