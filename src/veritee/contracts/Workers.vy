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

STATUS_ACTIVE: constant(uint8) = 1
STATUS_UNBONDING: constant(uint8) = 2
STATUS_WITHDRAWN: constant(uint8) = 3

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
    x25519_key: bytes32
    measurement: bytes32
    tee_kind: uint8
    tcb_status: uint8
    quote_hash: bytes32
    issued_at: uint64
    expiry: uint64
    endpoint: String[256]
    price: uint256
    bond: uint256
    status: uint8
    unbond_at: uint64


event WorkerRegistered:
    worker: indexed(address)
    operator: indexed(address)
    measurement: bytes32
    tee_kind: uint8
    quote_hash: bytes32
    expiry: uint64
    bond: uint256


event CertificateRenewed:
    worker: indexed(address)
    tcb_status: uint8
    quote_hash: bytes32
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

workers: public(HashMap[address, Worker])
_models: HashMap[address, DynArray[uint256, MAX_MODELS]]
serves: public(HashMap[address, HashMap[uint256, bool]])


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
    @param price Price per job, in token units.
    @param models Model ids the worker serves.
    @param bond Bond amount, at least `min_bond`.
    """
    assert certificate.operator == msg.sender, "Workers: caller is not the certificate operator"
    assert certificate.enclave != empty(address), "Workers: zero enclave address"
    assert self.workers[certificate.enclave].status == 0, "Workers: worker already registered"
    assert bond >= self.min_bond, "Workers: bond below minimum"
    self._check_certificate(certificate, signatures)
    self.workers[certificate.enclave] = Worker(
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
        bond=bond,
        status=STATUS_ACTIVE,
        unbond_at=0,
    )
    self._set_models(certificate.enclave, models)
    assert extcall token.transferFrom(msg.sender, self, bond, default_return_value=True), "Workers: bond transfer failed"
    log WorkerRegistered(
        worker=certificate.enclave,
        operator=msg.sender,
        measurement=certificate.measurement,
        tee_kind=certificate.tee_kind,
        quote_hash=certificate.quote_hash,
        expiry=certificate.expiry,
        bond=bond,
    )


@external
def renew(certificate: Certificate, signatures: DynArray[Bytes[65], MAX_SIGNATURES]):
    """
    @notice Replaces an active worker's certificate with a newer one for the
            same enclave, X25519 key, measurement and TEE kind.
    @param certificate The new certificate.
    @param signatures At least `t` gatekeeper signatures over it.
    """
    worker: Worker = self._operated(certificate.enclave)
    assert worker.status == STATUS_ACTIVE, "Workers: worker not active"
    assert certificate.operator == msg.sender, "Workers: caller is not the certificate operator"
    assert (
        certificate.x25519_key == worker.x25519_key
        and certificate.measurement == worker.measurement
        and certificate.tee_kind == worker.tee_kind
    ), "Workers: certificate is for another enclave"
    assert certificate.issued_at > worker.issued_at, "Workers: certificate not newer"
    self._check_certificate(certificate, signatures)
    self.workers[certificate.enclave].tcb_status = certificate.tcb_status
    self.workers[certificate.enclave].quote_hash = certificate.quote_hash
    self.workers[certificate.enclave].issued_at = certificate.issued_at
    self.workers[certificate.enclave].expiry = certificate.expiry
    log CertificateRenewed(
        worker=certificate.enclave,
        tcb_status=certificate.tcb_status,
        quote_hash=certificate.quote_hash,
        expiry=certificate.expiry,
    )


@external
def set_endpoint(worker: address, endpoint: String[256]):
    """
    @notice Updates a worker's HTTP endpoint (operator only).
    @param worker The worker's enclave address.
    @param endpoint The new endpoint.
    """
    self._operated(worker)
    self.workers[worker].endpoint = endpoint
    log EndpointUpdated(worker=worker, endpoint=endpoint)


@external
def set_price(worker: address, price: uint256):
    """
    @notice Updates a worker's price per job (operator only); jobs already
            submitted keep the price they were submitted with.
    @param worker The worker's enclave address.
    @param price The new price.
    """
    self._operated(worker)
    self.workers[worker].price = price
    log PriceUpdated(worker=worker, price=price)


@external
def set_models(worker: address, models: DynArray[uint256, MAX_MODELS]):
    """
    @notice Replaces the list of models a worker serves (operator only).
    @param worker The worker's enclave address.
    @param models The model ids.
    """
    self._operated(worker)
    self._set_models(worker, models)


@external
def add_bond(worker: address, amount: uint256):
    """
    @notice Adds `amount` tokens to a worker's bond (operator only; approve first).
    @param worker The worker's enclave address.
    @param amount The amount.
    """
    current: Worker = self._operated(worker)
    assert current.status == STATUS_ACTIVE, "Workers: worker not active"
    assert amount > 0, "Workers: zero amount"
    self.workers[worker].bond = current.bond + amount
    assert extcall token.transferFrom(msg.sender, self, amount, default_return_value=True), "Workers: bond transfer failed"
    log BondAdded(worker=worker, amount=amount, bond=current.bond + amount)


@external
def begin_unbonding(worker: address):
    """
    @notice Stops a worker from taking new jobs and starts the unbonding
            delay (operator only). Jobs already assigned can still settle
            or be slashed.
    @param worker The worker's enclave address.
    """
    current: Worker = self._operated(worker)
    assert current.status == STATUS_ACTIVE, "Workers: worker not active"
    unbond_at: uint64 = convert(block.timestamp + self.unbonding_delay, uint64)
    self.workers[worker].status = STATUS_UNBONDING
    self.workers[worker].unbond_at = unbond_at
    log UnbondingStarted(worker=worker, unbond_at=unbond_at)


@external
def withdraw_bond(worker: address):
    """
    @notice Pays the remaining bond back to the operator once the
            unbonding delay has passed (operator only).
    @param worker The worker's enclave address.
    """
    current: Worker = self._operated(worker)
    assert current.status == STATUS_UNBONDING, "Workers: worker not unbonding"
    assert block.timestamp >= convert(current.unbond_at, uint256), "Workers: unbonding delay not over"
    self.workers[worker].status = STATUS_WITHDRAWN
    self.workers[worker].bond = 0
    if current.bond > 0:
        assert extcall token.transfer(current.operator, current.bond, default_return_value=True), "Workers: bond transfer failed"
    log BondWithdrawn(worker=worker, operator=current.operator, amount=current.bond)


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
    bond: uint256 = self.workers[worker].bond
    taken: uint256 = min(bond, amount)
    if taken == 0:
        return 0
    self.workers[worker].bond = bond - taken
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
    @param amount The new minimum.
    """
    ownable._check_owner()
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
def models(worker: address) -> DynArray[uint256, MAX_MODELS]:
    """
    @notice The models a worker serves.
    @param worker The worker's enclave address.
    @return DynArray The model ids.
    """
    return self._models[worker]


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
    self._check_certified(self.workers[worker])
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
    current: Worker = self.workers[worker]
    assert current.status == STATUS_ACTIVE, "Workers: worker not active"
    self._check_certified(current)
    assert current.bond >= self.min_bond, "Workers: bond below minimum"
    assert self.serves[worker][model_id], "Workers: worker does not serve model"
    return True


@external
@view
def is_certified(worker: address) -> bool:
    """
    @notice Whether the worker is registered, unexpired and admitted by policy.
    @param worker The worker's enclave address.
    @return bool The answer.
    """
    current: Worker = self.workers[worker]
    if current.status != STATUS_ACTIVE and current.status != STATUS_UNBONDING:
        return False
    if convert(current.expiry, uint256) <= block.timestamp:
        return False
    return staticcall policy.is_allowed(current.tee_kind, current.measurement, current.tcb_status)


@external
@view
def terms(worker: address) -> (address, uint256):
    """
    @notice The operator paid for a worker's jobs, and its price per job.
    @param worker The worker's enclave address.
    @return (address, uint256) Operator and price.
    """
    return self.workers[worker].operator, self.workers[worker].price


@internal
@view
def _check_certified(current: Worker):
    assert current.status == STATUS_ACTIVE or current.status == STATUS_UNBONDING, "Workers: worker not registered"
    assert convert(current.expiry, uint256) > block.timestamp, "Workers: certificate expired"
    assert staticcall policy.check(current.tee_kind, current.measurement, current.tcb_status)


@internal
@view
def _check_certificate(certificate: Certificate, signatures: DynArray[Bytes[65], MAX_SIGNATURES]):
    issued_at: uint256 = convert(certificate.issued_at, uint256)
    expiry: uint256 = convert(certificate.expiry, uint256)
    assert issued_at <= block.timestamp, "Workers: certificate issued in the future"
    assert expiry > block.timestamp, "Workers: certificate expired"
    assert expiry - issued_at <= staticcall policy.max_certificate_lifetime(), "Workers: certificate lifetime too long"
    assert staticcall policy.check(certificate.tee_kind, certificate.measurement, certificate.tcb_status)
    assert staticcall gatekeepers.check_signatures(self._certificate_digest(certificate), signatures) > 0


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
def _operated(worker: address) -> Worker:
    current: Worker = self.workers[worker]
    assert current.status != 0, "Workers: unknown worker"
    assert current.operator == msg.sender, "Workers: caller is not the operator"
    return current


@internal
def _set_models(worker: address, models: DynArray[uint256, MAX_MODELS]):
    for old: uint256 in self._models[worker]:
        self.serves[worker][old] = False
    for model_id: uint256 in models:
        self.serves[worker][model_id] = True
    self._models[worker] = models
    log ModelsUpdated(worker=worker, models=models)
