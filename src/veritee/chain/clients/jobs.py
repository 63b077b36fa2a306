"""Typed client for the Jobs contract: submit, settle, expire, claim, read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from eth_utils import to_checksum_address
from web3.types import TxParams, TxReceipt

from veritee.chain.clients.base import ContractClient
from veritee.chain.clients.token import Permit
from veritee.chain.types import CapsuleId, JobId, JobStatus, ModelId, TokenAmount
from veritee.crypto.typed_data import JobResult

__all__ = ["JobInfo", "JobRequest", "JobsClient"]

_ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True)
class JobRequest:
    """What a requester submits; ``max_fee`` is escrowed."""

    worker: str
    model_id: ModelId
    input_hash: bytes
    input_uri: str
    result_key: bytes
    max_fee: int
    deadline: int
    capsule_ids: Sequence[CapsuleId] = field(default_factory=tuple)
    callback: str = _ZERO_ADDRESS
    callback_gas_limit: int = 0

    def as_tuple(self) -> tuple[object, ...]:
        """The ABI tuple, in the contract's struct field order."""
        return (
            to_checksum_address(self.worker),
            self.model_id,
            list(self.capsule_ids),
            self.input_hash,
            self.input_uri,
            self.result_key,
            self.max_fee,
            self.deadline,
            to_checksum_address(self.callback),
            self.callback_gas_limit,
        )


@dataclass(frozen=True)
class JobInfo:
    """A job as the Jobs contract records it, fees as fixed at submission."""

    job_id: JobId
    requester: str
    worker: str
    model_id: ModelId
    capsule_ids: tuple[CapsuleId, ...]
    input_hash: bytes
    input_uri: str
    result_key: bytes
    max_fee: TokenAmount
    deadline: int
    callback: str
    callback_gas_limit: int
    status: JobStatus
    submitted_at: int
    model_owner: str
    model_fee: TokenAmount
    capsule_fees: tuple[TokenAmount, ...]
    worker_fee: TokenAmount
    protocol_fee: TokenAmount

    @property
    def price(self) -> TokenAmount:
        """Everything the job pays when it succeeds; the rest of ``max_fee`` is refunded."""
        return TokenAmount(
            self.model_fee + sum(self.capsule_fees) + self.worker_fee + self.protocol_fee
        )


class JobsClient(ContractClient):
    """Job escrow and settlement."""

    contract_name = "Jobs"

    def job(self, job_id: JobId) -> JobInfo:
        raw = self._call("job", job_id)
        return JobInfo(
            job_id=job_id,
            requester=to_checksum_address(raw[0]),
            worker=to_checksum_address(raw[1]),
            model_id=ModelId(raw[2]),
            capsule_ids=tuple(CapsuleId(c) for c in raw[3]),
            input_hash=bytes(raw[4]),
            input_uri=str(raw[5]),
            result_key=bytes(raw[6]),
            max_fee=TokenAmount(raw[7]),
            deadline=int(raw[8]),
            callback=to_checksum_address(raw[9]),
            callback_gas_limit=int(raw[10]),
            status=JobStatus(raw[11]),
            submitted_at=int(raw[12]),
            model_owner=to_checksum_address(raw[13]),
            model_fee=TokenAmount(raw[14]),
            capsule_fees=tuple(TokenAmount(f) for f in raw[15]),
            worker_fee=TokenAmount(raw[16]),
            protocol_fee=TokenAmount(raw[17]),
        )

    def status(self, job_id: JobId) -> JobStatus:
        return JobStatus(self._call("job_status", job_id))

    def statuses(self, job_ids: Sequence[int]) -> list[JobStatus]:
        """The statuses of many jobs in one call (at most 100 per contract call)."""
        found: list[JobStatus] = []
        for start in range(0, len(job_ids), 100):
            chunk = [int(j) for j in job_ids[start : start + 100]]
            found.extend(JobStatus(s) for s in self._call("job_statuses", chunk))
        return found

    def job_count(self) -> int:
        return int(self._call("job_count"))

    def claimable(self, account: str) -> TokenAmount:
        return TokenAmount(self._call("claimable", to_checksum_address(account)))

    def escrowed(self) -> TokenAmount:
        return TokenAmount(self._call("escrowed"))

    def total_claimable(self) -> TokenAmount:
        return TokenAmount(self._call("total_claimable"))

    def protocol_fee_bps(self) -> int:
        return int(self._call("protocol_fee_bps"))

    def treasury(self) -> str:
        return to_checksum_address(self._call("treasury"))

    def batch_digest(self, worker: str, results: Sequence[JobResult]) -> bytes:
        """The contract's own digest of a batch (for cross-checking the Python one)."""
        return bytes(
            self._call("batch_digest", to_checksum_address(worker), [r.as_tuple() for r in results])
        )

    def submit(self, request: JobRequest) -> JobId:
        """Submits a job (the escrow must already be approved); returns its id."""
        receipt = self._transact("submit", request.as_tuple())
        return self._job_id(receipt)

    def submit_with_permit(self, request: JobRequest, permit: Permit) -> JobId:
        """Submits a job, approving the escrow with ``permit`` in the same transaction."""
        receipt = self._transact(
            "submit_with_permit",
            request.as_tuple(),
            permit.deadline,
            permit.v,
            permit.r,
            permit.s,
        )
        return self._job_id(receipt)

    def settle_tx(
        self, worker: str, results: Sequence[JobResult], signature: bytes, gas: int | None = None
    ) -> TxParams:
        """Builds (without sending) a settlement transaction, for batching senders."""
        return self.build(
            "settle",
            to_checksum_address(worker),
            [r.as_tuple() for r in results],
            signature,
            gas=gas,
        )

    def settle(self, worker: str, results: Sequence[JobResult], signature: bytes) -> TxReceipt:
        """Settles a signed result batch."""
        return self._transact(
            "settle", to_checksum_address(worker), [r.as_tuple() for r in results], signature
        )

    def expire(self, job_id: JobId) -> TxReceipt:
        return self._transact("expire", job_id)

    def claim(self) -> TxReceipt:
        return self._transact("claim")

    def _job_id(self, receipt: TxReceipt) -> JobId:
        return JobId(self.events_in(receipt, "JobSubmitted")[0].args["job_id"])
