# pragma version ~=0.4.3
"""
@title veritee TeePolicy
@custom:contract-name TeePolicy
@license Apache-2.0
@notice Which TEE code may hold keys: allowed measurements per TEE kind,
        accepted TCB statuses, whether simulated (development) quotes are
        accepted, and the longest certificate lifetime. Governance (for now
        the owner, behind two-step ownership) changes each with one setter.
@dev TEE kinds: 0 simulated, 1 tdx, 2 sgx, 3 dstack. TCB statuses follow
     Intel's: 0 UpToDate, 1 SWHardeningNeeded, 2 ConfigurationNeeded,
     3 ConfigurationAndSWHardeningNeeded, 4 OutOfDate,
     5 OutOfDateConfigurationNeeded, 6 Revoked. A measurement is the
     SHA-256 of the TEE's measurement registers as `veritee.attestation`
     defines them per kind. Each (kind, measurement) pair gets a small id
     the first time it is set, so that registries can store and check it
     in a packed word instead of a full slot.
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


KIND_SIMULATED: constant(uint8) = 0
MAX_KIND: constant(uint8) = 3
MAX_TCB_STATUS: constant(uint8) = 6


struct Measurement:
    tee_kind: uint8
    value: bytes32
    allowed: bool


event MeasurementSet:
    tee_kind: indexed(uint8)
    measurement: indexed(bytes32)
    measurement_id: indexed(uint256)
    allowed: bool


event SimulatedQuotesSet:
    allowed: bool


event MaxCertificateLifetimeSet:
    seconds: uint256


event TcbStatusSet:
    tcb_status: indexed(uint8)
    accepted: bool


# @dev 1-based id of each (kind, measurement) ever set; 0 if never set.
measurement_id: public(HashMap[uint8, HashMap[bytes32, uint256]])
measurements: public(HashMap[uint256, Measurement])
measurement_count: public(uint256)
allow_simulated: public(bool)
max_certificate_lifetime: public(uint256)
tcb_accepted: public(HashMap[uint8, bool])


@deploy
def __init__(allow_simulated: bool, max_certificate_lifetime: uint256):
    """
    @notice Deploys the policy. Only `UpToDate` TCB is accepted at first.
    @param allow_simulated Whether simulated quotes are accepted (development networks only).
    @param max_certificate_lifetime Longest certificate lifetime, in seconds.
    """
    ownable.__init__()
    ownable_2step.__init__()
    assert max_certificate_lifetime > 0, "TeePolicy: lifetime must be positive"
    self.allow_simulated = allow_simulated
    self.max_certificate_lifetime = max_certificate_lifetime
    self.tcb_accepted[0] = True
    log SimulatedQuotesSet(allowed=allow_simulated)
    log MaxCertificateLifetimeSet(seconds=max_certificate_lifetime)
    log TcbStatusSet(tcb_status=0, accepted=True)


@external
def set_measurement(tee_kind: uint8, measurement: bytes32, allowed: bool):
    """
    @notice Allows or disallows a measurement for a TEE kind (owner only).
    @param tee_kind The TEE kind.
    @param measurement The measurement digest.
    @param allowed Whether it is allowed.
    """
    ownable._check_owner()
    assert tee_kind <= MAX_KIND, "TeePolicy: unknown TEE kind"
    assert measurement != empty(bytes32), "TeePolicy: empty measurement"
    measurement_id: uint256 = self.measurement_id[tee_kind][measurement]
    if measurement_id == 0:
        measurement_id = self.measurement_count + 1
        self.measurement_count = measurement_id
        self.measurement_id[tee_kind][measurement] = measurement_id
        self.measurements[measurement_id] = Measurement(tee_kind=tee_kind, value=measurement, allowed=allowed)
    else:
        self.measurements[measurement_id].allowed = allowed
    log MeasurementSet(tee_kind=tee_kind, measurement=measurement, measurement_id=measurement_id, allowed=allowed)


@external
def set_allow_simulated(allowed: bool):
    """
    @notice Switches acceptance of simulated quotes (owner only).
    @param allowed True only on development networks.
    """
    ownable._check_owner()
    self.allow_simulated = allowed
    log SimulatedQuotesSet(allowed=allowed)


@external
def set_max_certificate_lifetime(seconds: uint256):
    """
    @notice Sets the longest certificate lifetime (owner only).
    @param seconds The lifetime, in seconds, positive.
    """
    ownable._check_owner()
    assert seconds > 0, "TeePolicy: lifetime must be positive"
    self.max_certificate_lifetime = seconds
    log MaxCertificateLifetimeSet(seconds=seconds)


@external
def set_tcb_accepted(tcb_status: uint8, accepted: bool):
    """
    @notice Accepts or rejects a TCB status (owner only).
    @param tcb_status The status code.
    @param accepted Whether certificates with it are accepted.
    """
    ownable._check_owner()
    assert tcb_status <= MAX_TCB_STATUS, "TeePolicy: unknown TCB status"
    self.tcb_accepted[tcb_status] = accepted
    log TcbStatusSet(tcb_status=tcb_status, accepted=accepted)


@external
@view
def check(tee_kind: uint8, measurement: bytes32, tcb_status: uint8) -> bool:
    """
    @notice Reverts, naming the reason, unless the policy admits this TEE.
    @param tee_kind The TEE kind.
    @param measurement The measurement digest.
    @param tcb_status The TCB status.
    @return bool Always true (failures revert).
    """
    assert tee_kind <= MAX_KIND, "TeePolicy: unknown TEE kind"
    self._check(tee_kind, self.measurements[self.measurement_id[tee_kind][measurement]].allowed, tcb_status)
    return True


@external
@view
def check_id(measurement_id: uint256, tcb_status: uint8) -> bool:
    """
    @notice Like `check`, for a measurement given by its id.
    @param measurement_id The id `measurement_id(kind, measurement)` returned.
    @param tcb_status The TCB status.
    @return bool Always true (failures revert).
    """
    entry: Measurement = self.measurements[measurement_id]
    assert measurement_id != 0 and measurement_id <= self.measurement_count, "TeePolicy: measurement not allowed"
    self._check(entry.tee_kind, entry.allowed, tcb_status)
    return True


@external
@view
def allowed_measurement(tee_kind: uint8, measurement: bytes32) -> bool:
    """
    @notice Whether a measurement is currently allowed for a TEE kind.
    @param tee_kind The TEE kind.
    @param measurement The measurement digest.
    @return bool The answer.
    """
    return self.measurements[self.measurement_id[tee_kind][measurement]].allowed


@external
@view
def is_allowed(tee_kind: uint8, measurement: bytes32, tcb_status: uint8) -> bool:
    """
    @notice Whether the policy admits this TEE, without reverting.
    @param tee_kind The TEE kind.
    @param measurement The measurement digest.
    @param tcb_status The TCB status.
    @return bool True if admitted.
    """
    if tee_kind > MAX_KIND:
        return False
    if tee_kind == KIND_SIMULATED and not self.allow_simulated:
        return False
    return self.measurements[self.measurement_id[tee_kind][measurement]].allowed and self.tcb_accepted[tcb_status]


@internal
@view
def _check(tee_kind: uint8, allowed: bool, tcb_status: uint8):
    if tee_kind == KIND_SIMULATED:
        assert self.allow_simulated, "TeePolicy: simulated quotes not accepted"
    assert allowed, "TeePolicy: measurement not allowed"
    assert self.tcb_accepted[tcb_status], "TeePolicy: TCB status not accepted"
