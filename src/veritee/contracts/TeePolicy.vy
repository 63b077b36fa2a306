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
     in a packed word instead of a full slot. What every check reads sits in
     one word, `_config = allow_simulated | tcb_accepted bitmap << 1 |
     max_certificate_lifetime << 16`, and each measurement's kind and
     allowed flag in another, so a check costs two storage reads.
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
measurement_count: public(uint256)
# @dev Per id: tee_kind | allowed << 8.
_measurement_flags: HashMap[uint256, uint256]
_measurement_value: HashMap[uint256, bytes32]
_config: uint256

_MASK_64: constant(uint256) = 2**64 - 1


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
    assert max_certificate_lifetime <= _MASK_64, "TeePolicy: lifetime too long"
    self._config = convert(allow_simulated, uint256) | (1 << 1) | (max_certificate_lifetime << 16)
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
        self._measurement_value[measurement_id] = measurement
    self._measurement_flags[measurement_id] = convert(tee_kind, uint256) | (convert(allowed, uint256) << 8)
    log MeasurementSet(tee_kind=tee_kind, measurement=measurement, measurement_id=measurement_id, allowed=allowed)


@external
def set_allow_simulated(allowed: bool):
    """
    @notice Switches acceptance of simulated quotes (owner only).
    @param allowed True only on development networks.
    """
    ownable._check_owner()
    self._config = (self._config & ~1) | convert(allowed, uint256)
    log SimulatedQuotesSet(allowed=allowed)


@external
def set_max_certificate_lifetime(seconds: uint256):
    """
    @notice Sets the longest certificate lifetime (owner only).
    @param seconds The lifetime, in seconds, positive and below 2**64.
    """
    ownable._check_owner()
    assert seconds > 0, "TeePolicy: lifetime must be positive"
    assert seconds <= _MASK_64, "TeePolicy: lifetime too long"
    self._config = (self._config & 65535) | (seconds << 16)
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
    bit: uint256 = 1 << (1 + convert(tcb_status, uint256))
    config: uint256 = self._config
    self._config = (config | bit) if accepted else (config & ~bit)
    log TcbStatusSet(tcb_status=tcb_status, accepted=accepted)


@external
@view
def allow_simulated() -> bool:
    """
    @notice Whether simulated quotes are accepted.
    @return bool The switch.
    """
    return self._config & 1 == 1


@external
@view
def max_certificate_lifetime() -> uint256:
    """
    @notice Longest certificate lifetime, in seconds.
    @return uint256 The lifetime.
    """
    return self._config >> 16


@external
@view
def tcb_accepted(tcb_status: uint8) -> bool:
    """
    @notice Whether certificates with this TCB status are accepted.
    @param tcb_status The status code.
    @return bool The answer.
    """
    if tcb_status > MAX_TCB_STATUS:
        return False
    return (self._config >> (1 + convert(tcb_status, uint256))) & 1 == 1


@external
@view
def measurements(measurement_id: uint256) -> Measurement:
    """
    @notice A measurement by id (all zero for an unknown id).
    @param measurement_id The id.
    @return Measurement Its kind, value and whether it is allowed.
    """
    flags: uint256 = self._measurement_flags[measurement_id]
    return Measurement(
        tee_kind=convert(flags & 255, uint8),
        value=self._measurement_value[measurement_id],
        allowed=(flags >> 8) & 1 == 1,
    )


@external
@view
def allowed_measurement(tee_kind: uint8, measurement: bytes32) -> bool:
    """
    @notice Whether a measurement is currently allowed for a TEE kind.
    @param tee_kind The TEE kind.
    @param measurement The measurement digest.
    @return bool The answer.
    """
    return (self._measurement_flags[self.measurement_id[tee_kind][measurement]] >> 8) & 1 == 1


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
    flags: uint256 = self._measurement_flags[self.measurement_id[tee_kind][measurement]]
    self._check(self._config, tee_kind, flags, tcb_status)
    return True


@external
@view
def admit(tee_kind: uint8, measurement: bytes32, tcb_status: uint8, lifetime: uint256) -> uint256:
    """
    @notice `check`, plus that a certificate `lifetime` seconds long is
            allowed; returns the measurement's id. Used at registration.
    @param tee_kind The TEE kind.
    @param measurement The measurement digest.
    @param tcb_status The TCB status.
    @param lifetime The certificate's lifetime (expiry minus issue time).
    @return uint256 The measurement id.
    """
    assert tee_kind <= MAX_KIND, "TeePolicy: unknown TEE kind"
    config: uint256 = self._config
    assert lifetime <= config >> 16, "TeePolicy: certificate lifetime too long"
    measurement_id: uint256 = self.measurement_id[tee_kind][measurement]
    self._check(config, tee_kind, self._measurement_flags[measurement_id], tcb_status)
    return measurement_id


@external
@view
def check_id(measurement_id: uint256, tcb_status: uint8) -> bool:
    """
    @notice Like `check`, for a measurement given by its id.
    @param measurement_id The id `measurement_id(kind, measurement)` returned.
    @param tcb_status The TCB status.
    @return bool Always true (failures revert).
    """
    flags: uint256 = self._measurement_flags[measurement_id]
    assert (flags >> 8) & 1 == 1, "TeePolicy: measurement not allowed"
    self._check(self._config, convert(flags & 255, uint8), flags, tcb_status)
    return True


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
    if tee_kind > MAX_KIND or tcb_status > MAX_TCB_STATUS:
        return False
    config: uint256 = self._config
    if tee_kind == KIND_SIMULATED and config & 1 == 0:
        return False
    flags: uint256 = self._measurement_flags[self.measurement_id[tee_kind][measurement]]
    return (flags >> 8) & 1 == 1 and (config >> (1 + convert(tcb_status, uint256))) & 1 == 1


@internal
@pure
def _check(config: uint256, tee_kind: uint8, flags: uint256, tcb_status: uint8):
    if tee_kind == KIND_SIMULATED:
        assert config & 1 == 1, "TeePolicy: simulated quotes not accepted"
    assert (flags >> 8) & 1 == 1, "TeePolicy: measurement not allowed"
    assert tcb_status <= MAX_TCB_STATUS and (config >> (1 + convert(tcb_status, uint256))) & 1 == 1, "TeePolicy: TCB status not accepted"
