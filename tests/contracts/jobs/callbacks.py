"""Job callback contracts for the settlement tests, compiled inline with `boa.loads`."""

from __future__ import annotations

from functools import cache
from typing import Any

import boa

# Records every call and the gas it arrived with.
RECORDER = """
# pragma version ~=0.4.3

calls: public(uint256)
last_job_id: public(uint256)
last_status: public(uint8)
last_result_hash: public(bytes32)
last_caller: public(address)
gas_at_entry: public(uint256)


@external
def onJobSettled(job_id: uint256, status: uint8, result_hash: bytes32):
    self.gas_at_entry = msg.gas
    self.calls += 1
    self.last_job_id = job_id
    self.last_status = status
    self.last_result_hash = result_hash
    self.last_caller = msg.sender
"""

# Reads the settled job back from Jobs while being called (the views are not locked).
READER = """
# pragma version ~=0.4.3

interface IJobs:
    def job_status(job_id: uint256) -> uint8: view

seen_status: public(uint8)


@external
def onJobSettled(job_id: uint256, status: uint8, result_hash: bytes32):
    self.seen_status = staticcall IJobs(msg.sender).job_status(job_id)
"""

REVERTER = """
# pragma version ~=0.4.3


@external
def onJobSettled(job_id: uint256, status: uint8, result_hash: bytes32):
    raise "callback: refused"
"""

# Loops until it runs out of gas.
GAS_BURNER = """
# pragma version ~=0.4.3

counter: public(uint256)


@external
def onJobSettled(job_id: uint256, status: uint8, result_hash: bytes32):
    for i: uint256 in range(10**12):
        self.counter += 1
"""

# Replays `payload` (calldata for Jobs.settle or Jobs.claim) from inside the callback. With
# `bubble` it reverts when the re-entry fails; otherwise it records the outcome and returns.
REENTRANT = """
# pragma version ~=0.4.3

target: public(address)
payload: public(Bytes[2048])
bubble: public(bool)
attempts: public(uint256)
reentered: public(bool)


@external
def arm(target: address, payload: Bytes[2048], bubble: bool):
    self.target = target
    self.payload = payload
    self.bubble = bubble


@external
def onJobSettled(job_id: uint256, status: uint8, result_hash: bytes32):
    ok: bool = raw_call(self.target, self.payload, revert_on_failure=False)
    if self.bubble:
        assert ok, "callback: re-entry failed"
    self.attempts += 1
    self.reentered = ok
"""


@cache
def _deployer(source: str) -> Any:
    return boa.loads_partial(source)


def deploy(source: str) -> Any:
    """Deploys one of the callback sources above (compiled once per session)."""
    return _deployer(source).deploy()
