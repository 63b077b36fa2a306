# pragma version ~=0.4.3
# pragma nonreentrancy on
"""
@title veritee Jobs
@custom:contract-name Jobs
@license Apache-2.0
@notice Job escrow and settlement. A requester submits a job for a
        certified worker serving a verified model, over capsules whose
        policies allow that model, and escrows its maximum fee (approve or
        EIP-2612 permit). The worker's results arrive in batches signed
        (EIP-712) by its enclave key; settlement pays the model owner, the
        capsule owners, the worker's operator and the treasury, refunds the
        rest, records capsule uses, and calls each job's callback under its
        gas cap. A result reported as failed refunds the requester in full.
        After the deadline anyone may expire a pending job: full refund,
        and part of the worker's bond is slashed (a share to the caller).
        A job is settled, failed or expired exactly once.
@dev Payouts accrue in `claimable` and are withdrawn with `claim`, which
     keeps settlement cheap (no token transfer per party per job). Hot job
     fields are packed into four storage words:
       w0 = requester | max_fee << 160
       w1 = worker | worker_fee << 160
       w2 = model_owner | model_fee << 160
       w3 = status | deadline << 8 | callback_gas << 72 | protocol_fee << 104 | capsules << 200
     and each capsule as capsule_id | fee << 160. Amounts are below 2**96.
     Invariant: token balance of this contract == escrowed + total_claimable.
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.utils import eip712_domain_separator

import secp256k1
from interfaces import ICapsules
from interfaces import IModels
from interfaces import IWorkers

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


MAX_CAPSULES: constant(uint256) = 8
MAX_BATCH: constant(uint256) = 128
BPS: constant(uint256) = 10_000
MAX_PROTOCOL_FEE_BPS: constant(uint256) = 2_000
MAX_AMOUNT: constant(uint256) = 2**96 - 1
# Ceiling for max_callback_gas: a callback cap near the block gas limit
# would make its job impossible to settle and get its worker slashed.
MAX_CALLBACK_GAS_CEILING: constant(uint256) = 5_000_000

STATUS_PENDING: constant(uint256) = 1
STATUS_SETTLED: constant(uint256) = 2
STATUS_FAILED: constant(uint256) = 3
STATUS_EXPIRED: constant(uint256) = 4

_MASK_ADDRESS: constant(uint256) = 2**160 - 1
_MASK_96: constant(uint256) = 2**96 - 1
_MASK_64: constant(uint256) = 2**64 - 1
_MASK_32: constant(uint256) = 2**32 - 1

# Callbacks get their gas cap plus what the 63/64 rule withholds; below
# this the whole settlement reverts so a relayer cannot starve a callback.
_CALLBACK_OVERHEAD: constant(uint256) = 10_000

_RESULT_TYPEHASH: constant(bytes32) = keccak256(
    "JobResult(uint256 jobId,bytes32 resultHash,string resultUri,uint8 status)"
)
_BATCH_TYPEHASH: constant(bytes32) = keccak256(
    "ResultBatch(address worker,JobResult[] results)JobResult(uint256 jobId,bytes32 resultHash,string resultUri,uint8 status)"
)


struct JobRequest:
    worker: address
    model_id: uint256
    capsule_ids: DynArray[uint256, MAX_CAPSULES]
    input_hash: bytes32
    input_uri: String[256]
    result_key: bytes32
    max_fee: uint256
    deadline: uint64
    callback: address
    callback_gas_limit: uint32


struct JobResult:
    job_id: uint256
    result_hash: bytes32
    result_uri: String[256]
    status: uint8


struct PackedJob:
    w0: uint256
    w1: uint256
    w2: uint256
    w3: uint256


struct JobDetails:
    model_id: uint256
    input_hash: bytes32
    result_key: bytes32
    callback: address
    submitted_at: uint64
    input_uri: String[256]


struct Job:
    requester: address
    worker: address
    model_id: uint256
    capsule_ids: DynArray[uint256, MAX_CAPSULES]
    input_hash: bytes32
    input_uri: String[256]
    result_key: bytes32
    max_fee: uint256
    deadline: uint64
    callback: address
    callback_gas_limit: uint32
    status: uint8
    submitted_at: uint64
    model_owner: address
    model_fee: uint256
    capsule_fees: DynArray[uint256, MAX_CAPSULES]
    worker_fee: uint256
    protocol_fee: uint256


event JobSubmitted:
    job_id: indexed(uint256)
    requester: indexed(address)
    worker: indexed(address)
    model_id: uint256
    capsule_ids: DynArray[uint256, MAX_CAPSULES]
    input_hash: bytes32
    input_uri: String[256]
    result_key: bytes32
    max_fee: uint256
    price: uint256
    deadline: uint64
    callback: address
    callback_gas_limit: uint32


event JobSettled:
    job_id: indexed(uint256)
    worker: indexed(address)
    result_hash: bytes32
    result_uri: String[256]
    paid: uint256
    refund: uint256


event JobFailed:
    job_id: indexed(uint256)
    worker: indexed(address)
    reason: uint8
    result_hash: bytes32
    result_uri: String[256]
    refund: uint256


event JobExpired:
    job_id: indexed(uint256)
    worker: indexed(address)
    caller: indexed(address)
    refund: uint256
    slashed: uint256
    caller_reward: uint256


event CallbackFailed:
    job_id: indexed(uint256)
    callback: indexed(address)


event Claimed:
    account: indexed(address)
    amount: uint256


event TreasurySet:
    treasury: address


event ProtocolFeeSet:
    bps: uint256


event SlashAmountSet:
    amount: uint256


event SlasherRewardSet:
    bps: uint256


event MaxJobDurationSet:
    seconds: uint256


event MaxCallbackGasSet:
    gas_limit: uint256


token: public(immutable(IERC20))
workers: public(immutable(IWorkers))
models: public(immutable(IModels))
capsules: public(immutable(ICapsules))

treasury: public(address)
protocol_fee_bps: public(uint256)
slash_amount: public(uint256)
slasher_reward_bps: public(uint256)
max_job_duration: public(uint256)
max_callback_gas: public(uint256)

job_count: public(uint256)
escrowed: public(uint256)
total_claimable: public(uint256)
claimable: public(HashMap[address, uint256])

_jobs: HashMap[uint256, PackedJob]
_capsule_words: HashMap[uint256, HashMap[uint256, uint256]]
_details: HashMap[uint256, JobDetails]


@deploy
def __init__(
    token_: IERC20,
    workers_: IWorkers,
    models_: IModels,
    capsules_: ICapsules,
    treasury: address,
    protocol_fee_bps: uint256,
    slash_amount: uint256,
    slasher_reward_bps: uint256,
    max_job_duration: uint256,
    max_callback_gas: uint256,
):
    """
    @notice Deploys the escrow and wires it to the registries.
    @param token_ The payment token.
    @param workers_ The worker registry (which must let this contract slash).
    @param models_ The model registry.
    @param capsules_ The capsule registry (which must let this contract count uses).
    @param treasury Receiver of protocol fees and slashed bonds.
    @param protocol_fee_bps Protocol fee on top of the job price, in basis points.
    @param slash_amount Bond slashed when a job expires.
    @param slasher_reward_bps Share of a slash paid to whoever expires the job.
    @param max_job_duration Longest allowed time from submission to deadline.
    @param max_callback_gas Largest gas cap a job's callback may ask for.
    """
    ownable.__init__()
    ownable_2step.__init__()
    eip712_domain_separator.__init__("veritee Jobs", "1")
    token = token_
    workers = workers_
    models = models_
    capsules = capsules_
    self._set_treasury(treasury)
    self._set_protocol_fee(protocol_fee_bps)
    self.slash_amount = slash_amount
    log SlashAmountSet(amount=slash_amount)
    self._set_slasher_reward(slasher_reward_bps)
    self._set_max_job_duration(max_job_duration)
    self._set_max_callback_gas(max_callback_gas)


@external
def submit(request: JobRequest) -> uint256:
    """
    @notice Submits a job and escrows `request.max_fee` from the caller
            (approve this contract first).
    @param request The job.
    @return uint256 The job id.
    """
    return self._submit(request)


@external
def submit_with_permit(request: JobRequest, permit_deadline: uint256, v: uint8, r: bytes32, s: bytes32) -> uint256:
    """
    @notice Submits a job, approving the escrow with an EIP-2612 permit for
            `request.max_fee` signed by the caller. A permit that was already
            used (front-run) is ignored if the allowance suffices.
    @param request The job.
    @param permit_deadline The permit's deadline.
    @param v Permit signature `v`.
    @param r Permit signature `r`.
    @param s Permit signature `s`.
    @return uint256 The job id.
    """
    # Success is not required: the allowance check in transferFrom decides.
    permitted: bool = raw_call(
        token.address,
        abi_encode(
            msg.sender, self, request.max_fee, permit_deadline, v, r, s,
            method_id=method_id("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"),
        ),
        revert_on_failure=False,
    )
    return self._submit(request)


@external
def settle(worker: address, results: DynArray[JobResult, MAX_BATCH], signature: Bytes[65]):
    """
    @notice Settles a batch of results signed by `worker`'s enclave key.
            Each job must be pending, assigned to `worker` and within its
            deadline; the worker must still be certified.
    @param worker The worker's enclave address.
    @param results The results (status 0: success; otherwise a failure code).
    @param signature The enclave's EIP-712 signature over the batch.
    """
    assert len(results) > 0, "Jobs: empty batch"
    assert staticcall workers.check_certified(worker)
    assert secp256k1._recover(self._batch_digest(worker, results), signature) == worker, "Jobs: invalid result signature"
    operator: address = empty(address)
    current_price: uint256 = 0
    operator, current_price = staticcall workers.terms(worker)

    operator_total: uint256 = 0
    treasury_total: uint256 = 0
    released: uint256 = 0
    for result: JobResult in results:
        job_id: uint256 = result.job_id
        w3: uint256 = self._jobs[job_id].w3
        status: uint256 = w3 & 255
        assert status != 0, "Jobs: unknown job"
        assert status == STATUS_PENDING, "Jobs: job not pending"
        w1: uint256 = self._jobs[job_id].w1
        assert (w1 & _MASK_ADDRESS) == convert(worker, uint256), "Jobs: job not assigned to worker"
        assert block.timestamp <= (w3 >> 8) & _MASK_64, "Jobs: job past deadline"
        w0: uint256 = self._jobs[job_id].w0
        requester: address = convert(convert(w0 & _MASK_ADDRESS, uint160), address)
        max_fee: uint256 = w0 >> 160
        released += max_fee
        count: uint256 = (w3 >> 200) & 255
        if result.status == 0:
            w2: uint256 = self._jobs[job_id].w2
            model_fee: uint256 = w2 >> 160
            worker_fee: uint256 = w1 >> 160
            protocol_fee: uint256 = (w3 >> 104) & _MASK_96
            paid: uint256 = model_fee + worker_fee + protocol_fee
            if model_fee > 0:
                model_owner: address = convert(convert(w2 & _MASK_ADDRESS, uint160), address)
                self.claimable[model_owner] += model_fee
            for i: uint256 in range(count, bound=MAX_CAPSULES):
                word: uint256 = self._capsule_words[job_id][i]
                owner: address = extcall capsules.record_use(word & _MASK_ADDRESS)
                fee: uint256 = word >> 160
                if fee > 0:
                    self.claimable[owner] += fee
                paid += fee
            operator_total += worker_fee
            treasury_total += protocol_fee
            if max_fee > paid:
                self.claimable[requester] += max_fee - paid
            self._jobs[job_id].w3 = w3 ^ STATUS_PENDING ^ STATUS_SETTLED
            log JobSettled(
                job_id=job_id, worker=worker, result_hash=result.result_hash,
                result_uri=result.result_uri, paid=paid, refund=max_fee - paid,
            )
        else:
            self._release_capsules(job_id, count)
            self.claimable[requester] += max_fee
            self._jobs[job_id].w3 = w3 ^ STATUS_PENDING ^ STATUS_FAILED
            log JobFailed(
                job_id=job_id, worker=worker, reason=result.status,
                result_hash=result.result_hash, result_uri=result.result_uri, refund=max_fee,
            )
    if operator_total > 0:
        self.claimable[operator] += operator_total
    if treasury_total > 0:
        self.claimable[self.treasury] += treasury_total
    self.escrowed -= released
    self.total_claimable += released

    # Callbacks last, after every state change, each under its own gas cap.
    for result: JobResult in results:
        w3: uint256 = self._jobs[result.job_id].w3
        gas_cap: uint256 = (w3 >> 72) & _MASK_32
        if gas_cap == 0:
            continue
        assert msg.gas >= gas_cap * 64 // 63 + _CALLBACK_OVERHEAD, "Jobs: insufficient gas for callback"
        callback: address = self._details[result.job_id].callback
        ok: bool = raw_call(
            callback,
            abi_encode(
                result.job_id, convert(w3 & 255, uint8), result.result_hash,
                method_id=method_id("onJobSettled(uint256,uint8,bytes32)"),
            ),
            gas=gas_cap,
            revert_on_failure=False,
        )
        if not ok:
            log CallbackFailed(job_id=result.job_id, callback=callback)


@external
def expire(job_id: uint256):
    """
    @notice Expires a pending job whose deadline has passed (anyone may
            call): the requester is refunded in full and the worker's bond
            is slashed by `slash_amount` (at most the bond), the caller
            receiving `slasher_reward_bps` of it and the treasury the rest.
    @param job_id The job.
    """
    w3: uint256 = self._jobs[job_id].w3
    status: uint256 = w3 & 255
    assert status != 0, "Jobs: unknown job"
    assert status == STATUS_PENDING, "Jobs: job not pending"
    assert block.timestamp > (w3 >> 8) & _MASK_64, "Jobs: deadline not passed"
    self._jobs[job_id].w3 = w3 ^ STATUS_PENDING ^ STATUS_EXPIRED
    w0: uint256 = self._jobs[job_id].w0
    requester: address = convert(convert(w0 & _MASK_ADDRESS, uint160), address)
    max_fee: uint256 = w0 >> 160
    worker: address = convert(convert(self._jobs[job_id].w1 & _MASK_ADDRESS, uint160), address)
    self._release_capsules(job_id, (w3 >> 200) & 255)
    self.claimable[requester] += max_fee
    self.escrowed -= max_fee

    slashed: uint256 = extcall workers.slash(worker, self.slash_amount)
    reward: uint256 = slashed * self.slasher_reward_bps // BPS
    if reward > 0:
        self.claimable[msg.sender] += reward
    if slashed > reward:
        self.claimable[self.treasury] += slashed - reward
    self.total_claimable += max_fee + slashed
    log JobExpired(job_id=job_id, worker=worker, caller=msg.sender, refund=max_fee, slashed=slashed, caller_reward=reward)


@external
def claim() -> uint256:
    """
    @notice Withdraws everything owed to the caller (payments, refunds, rewards).
    @return uint256 The amount transferred.
    """
    amount: uint256 = self.claimable[msg.sender]
    assert amount > 0, "Jobs: nothing to claim"
    self.claimable[msg.sender] = 0
    self.total_claimable -= amount
    assert extcall token.transfer(msg.sender, amount, default_return_value=True), "Jobs: transfer failed"
    log Claimed(account=msg.sender, amount=amount)
    return amount


@external
def set_treasury(treasury: address):
    """
    @notice Sets the treasury (owner only).
    @param treasury The new treasury.
    """
    ownable._check_owner()
    self._set_treasury(treasury)


@external
def set_protocol_fee_bps(bps: uint256):
    """
    @notice Sets the protocol fee in basis points, at most 2000 (owner only).
    @param bps The fee.
    """
    ownable._check_owner()
    self._set_protocol_fee(bps)


@external
def set_slash_amount(amount: uint256):
    """
    @notice Sets the bond slashed per expired job (owner only).
    @param amount The amount.
    """
    ownable._check_owner()
    self.slash_amount = amount
    log SlashAmountSet(amount=amount)


@external
def set_slasher_reward_bps(bps: uint256):
    """
    @notice Sets the share of a slash paid to the caller of `expire` (owner only).
    @param bps The share, at most 10000.
    """
    ownable._check_owner()
    self._set_slasher_reward(bps)


@external
def set_max_job_duration(seconds: uint256):
    """
    @notice Sets the longest allowed job duration (owner only); it must be
            shorter than the workers' unbonding delay.
    @param seconds The duration.
    """
    ownable._check_owner()
    self._set_max_job_duration(seconds)


@external
def set_max_callback_gas(gas_limit: uint256):
    """
    @notice Sets the largest callback gas cap a job may ask for (owner only).
    @param gas_limit The cap, at most 5,000,000.
    """
    ownable._check_owner()
    self._set_max_callback_gas(gas_limit)


@external
@view
@reentrant
def job(job_id: uint256) -> Job:
    """
    @notice Everything recorded about a job.
    @param job_id The job.
    @return Job The job (status 0 if unknown).
    """
    packed: PackedJob = self._jobs[job_id]
    details: JobDetails = self._details[job_id]
    count: uint256 = (packed.w3 >> 200) & 255
    capsule_ids: DynArray[uint256, MAX_CAPSULES] = []
    capsule_fees: DynArray[uint256, MAX_CAPSULES] = []
    for i: uint256 in range(count, bound=MAX_CAPSULES):
        word: uint256 = self._capsule_words[job_id][i]
        capsule_ids.append(word & _MASK_ADDRESS)
        capsule_fees.append(word >> 160)
    return Job(
        requester=convert(convert(packed.w0 & _MASK_ADDRESS, uint160), address),
        worker=convert(convert(packed.w1 & _MASK_ADDRESS, uint160), address),
        model_id=details.model_id,
        capsule_ids=capsule_ids,
        input_hash=details.input_hash,
        input_uri=details.input_uri,
        result_key=details.result_key,
        max_fee=packed.w0 >> 160,
        deadline=convert((packed.w3 >> 8) & _MASK_64, uint64),
        callback=details.callback,
        callback_gas_limit=convert((packed.w3 >> 72) & _MASK_32, uint32),
        status=convert(packed.w3 & 255, uint8),
        submitted_at=details.submitted_at,
        model_owner=convert(convert(packed.w2 & _MASK_ADDRESS, uint160), address),
        model_fee=packed.w2 >> 160,
        capsule_fees=capsule_fees,
        worker_fee=packed.w1 >> 160,
        protocol_fee=(packed.w3 >> 104) & _MASK_96,
    )


@external
@view
@reentrant
def job_status(job_id: uint256) -> uint8:
    """
    @notice A job's status: 0 unknown, 1 pending, 2 settled, 3 failed, 4 expired.
    @param job_id The job.
    @return uint8 The status.
    """
    return convert(self._jobs[job_id].w3 & 255, uint8)


@external
@view
@reentrant
def job_statuses(job_ids: DynArray[uint256, MAX_BATCH]) -> DynArray[uint8, MAX_BATCH]:
    """
    @notice The statuses of up to MAX_BATCH jobs in one call, in the order asked.
    @dev Lets a worker or relayer check a whole batch with one read instead of one per job.
    @param job_ids The jobs.
    @return DynArray[uint8, MAX_BATCH] Each job's status, as `job_status` gives it.
    """
    statuses: DynArray[uint8, MAX_BATCH] = []
    for job_id: uint256 in job_ids:
        statuses.append(convert(self._jobs[job_id].w3 & 255, uint8))
    return statuses


@external
@view
@reentrant
def batch_digest(worker: address, results: DynArray[JobResult, MAX_BATCH]) -> bytes32:
    """
    @notice The EIP-712 digest a worker signs for a result batch.
    @param worker The worker's enclave address.
    @param results The results.
    @return bytes32 The digest.
    """
    return self._batch_digest(worker, results)


@internal
def _submit(request: JobRequest) -> uint256:
    assert request.max_fee <= MAX_AMOUNT, "Jobs: max fee too large"
    assert convert(request.deadline, uint256) > block.timestamp, "Jobs: deadline in the past"
    assert convert(request.deadline, uint256) <= block.timestamp + self.max_job_duration, "Jobs: deadline too far"
    assert request.input_hash != empty(bytes32), "Jobs: empty input hash"
    assert request.result_key != empty(bytes32), "Jobs: empty result key"
    if request.callback == empty(address):
        assert request.callback_gas_limit == 0, "Jobs: callback gas without callback"
    else:
        assert request.callback_gas_limit > 0, "Jobs: callback needs a gas limit"
        assert convert(request.callback_gas_limit, uint256) <= self.max_callback_gas, "Jobs: callback gas limit too high"
    assert staticcall workers.check_eligible(request.worker, request.model_id)

    operator: address = empty(address)
    worker_fee: uint256 = 0
    operator, worker_fee = staticcall workers.terms(request.worker)
    model_owner: address = empty(address)
    model_fee: uint256 = 0
    model_owner, model_fee = staticcall models.terms(request.model_id)

    job_id: uint256 = self.job_count + 1
    self.job_count = job_id
    capsule_total: uint256 = 0
    count: uint256 = len(request.capsule_ids)
    for i: uint256 in range(count, bound=MAX_CAPSULES):
        capsule_id: uint256 = request.capsule_ids[i]
        for j: uint256 in range(i + 1, count, bound=MAX_CAPSULES):
            assert request.capsule_ids[j] != capsule_id, "Jobs: duplicate capsule"
        assert capsule_id <= _MASK_ADDRESS, "Jobs: capsule id too large"
        owner: address = empty(address)
        fee: uint256 = 0
        owner, fee = extcall capsules.reserve(capsule_id, request.model_id)
        assert fee <= MAX_AMOUNT, "Jobs: max fee below price"
        self._capsule_words[job_id][i] = capsule_id | (fee << 160)
        capsule_total += fee

    subtotal: uint256 = model_fee + capsule_total + worker_fee
    protocol_fee: uint256 = subtotal * self.protocol_fee_bps // BPS
    price: uint256 = subtotal + protocol_fee
    assert price <= request.max_fee, "Jobs: max fee below price"

    self._jobs[job_id] = PackedJob(
        w0=convert(msg.sender, uint256) | (request.max_fee << 160),
        w1=convert(request.worker, uint256) | (worker_fee << 160),
        w2=convert(model_owner, uint256) | (model_fee << 160),
        w3=STATUS_PENDING
        | (convert(request.deadline, uint256) << 8)
        | (convert(request.callback_gas_limit, uint256) << 72)
        | (protocol_fee << 104)
        | (count << 200),
    )
    self._details[job_id] = JobDetails(
        model_id=request.model_id,
        input_hash=request.input_hash,
        result_key=request.result_key,
        callback=request.callback,
        submitted_at=convert(block.timestamp, uint64),
        input_uri=request.input_uri,
    )
    self.escrowed += request.max_fee
    if request.max_fee > 0:
        assert extcall token.transferFrom(msg.sender, self, request.max_fee, default_return_value=True), "Jobs: escrow transfer failed"
    log JobSubmitted(
        job_id=job_id,
        requester=msg.sender,
        worker=request.worker,
        model_id=request.model_id,
        capsule_ids=request.capsule_ids,
        input_hash=request.input_hash,
        input_uri=request.input_uri,
        result_key=request.result_key,
        max_fee=request.max_fee,
        price=price,
        deadline=request.deadline,
        callback=request.callback,
        callback_gas_limit=request.callback_gas_limit,
    )
    return job_id


@internal
def _release_capsules(job_id: uint256, count: uint256):
    for i: uint256 in range(count, bound=MAX_CAPSULES):
        extcall capsules.release(self._capsule_words[job_id][i] & _MASK_ADDRESS)


@internal
@view
def _batch_digest(worker: address, results: DynArray[JobResult, MAX_BATCH]) -> bytes32:
    # EIP-712 hashes an array of structs as keccak256 of the concatenated
    # struct hashes: abi-encoding a bytes32 array without the tuple wrapper
    # gives its length word followed by exactly that concatenation.
    hashes: DynArray[bytes32, MAX_BATCH] = []
    for result: JobResult in results:
        hashes.append(
            keccak256(abi_encode(_RESULT_TYPEHASH, result.job_id, result.result_hash, keccak256(result.result_uri), result.status))
        )
    encoded: Bytes[32 + 32 * MAX_BATCH] = abi_encode(hashes, ensure_tuple=False)
    array_hash: bytes32 = keccak256(slice(encoded, 32, 32 * len(hashes)))
    return eip712_domain_separator._hash_typed_data_v4(keccak256(abi_encode(_BATCH_TYPEHASH, worker, array_hash)))


@internal
def _set_treasury(treasury: address):
    assert treasury != empty(address), "Jobs: zero address"
    self.treasury = treasury
    log TreasurySet(treasury=treasury)


@internal
def _set_protocol_fee(bps: uint256):
    assert bps <= MAX_PROTOCOL_FEE_BPS, "Jobs: protocol fee too high"
    self.protocol_fee_bps = bps
    log ProtocolFeeSet(bps=bps)


@internal
def _set_slasher_reward(bps: uint256):
    assert bps <= BPS, "Jobs: slasher reward above 100%"
    self.slasher_reward_bps = bps
    log SlasherRewardSet(bps=bps)


@internal
def _set_max_callback_gas(gas_limit: uint256):
    assert gas_limit <= MAX_CALLBACK_GAS_CEILING, "Jobs: callback gas cap too high"
    self.max_callback_gas = gas_limit
    log MaxCallbackGasSet(gas_limit=gas_limit)


@internal
def _set_max_job_duration(seconds: uint256):
    # Strictly shorter than the unbonding delay: otherwise a worker could
    # withdraw its bond at a job's deadline, before anyone may expire it.
    assert seconds > 0, "Jobs: duration must be positive"
    assert seconds < staticcall workers.unbonding_delay(), "Jobs: duration not shorter than unbonding delay"
    self.max_job_duration = seconds
    log MaxJobDurationSet(seconds=seconds)
