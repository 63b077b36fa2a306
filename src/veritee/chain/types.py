"""Ids, amounts and status codes of the on-chain objects, as distinct types.

Ids and amounts are plain ``int`` at run time; the ``NewType`` wrappers let the type checker
catch a model id passed where a job id belongs, or a price where a bond belongs.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NewType

__all__ = [
    "CapsuleId",
    "JobId",
    "JobStatus",
    "ModelId",
    "ModelStatus",
    "TcbStatus",
    "TeeKind",
    "TokenAmount",
    "WorkerStatus",
]

JobId = NewType("JobId", int)
ModelId = NewType("ModelId", int)
CapsuleId = NewType("CapsuleId", int)
#: An amount of the veritee token in its smallest unit (18 decimals).
TokenAmount = NewType("TokenAmount", int)


class TeeKind(IntEnum):
    """The TEE kinds the TeePolicy contract knows."""

    SIMULATED = 0
    TDX = 1
    SGX = 2
    DSTACK = 3


class TcbStatus(IntEnum):
    """Intel's TCB statuses, as numbered on-chain."""

    UP_TO_DATE = 0
    SW_HARDENING_NEEDED = 1
    CONFIGURATION_NEEDED = 2
    CONFIGURATION_AND_SW_HARDENING_NEEDED = 3
    OUT_OF_DATE = 4
    OUT_OF_DATE_CONFIGURATION_NEEDED = 5
    REVOKED = 6


class WorkerStatus(IntEnum):
    """A worker's registration status in the Workers contract."""

    UNKNOWN = 0
    ACTIVE = 1
    UNBONDING = 2
    WITHDRAWN = 3


class ModelStatus(IntEnum):
    """A model version's status in the Models contract."""

    UNKNOWN = 0
    REGISTERED = 1
    VERIFIED = 2
    DEPRECATED = 3


class JobStatus(IntEnum):
    """A job's status in the Jobs contract."""

    UNKNOWN = 0
    PENDING = 1
    SETTLED = 2
    FAILED = 3
    EXPIRED = 4
