"""Stateful property test of the job economy: escrow, payouts, bonds and capsule uses.

A Hypothesis state machine drives the deployed contracts (titanoboa) next to `Economy`, a
pure-Python model of what `Jobs`, `Workers` and `Capsules` should do. Every rule asks the model
for the outcome first (success, or the exact revert string) and then makes the call; the
invariants compare the token totals after every step and, after every step that changed state,
each holder's balance and claimable amount, each job's status, each worker's bond and each
capsule's counters with the model. The properties of DESIGN.md §5 follow: tokens are conserved,
no job is paid twice, and nothing is paid without a valid signature from the assigned, certified
worker.

The contracts are deployed once per test (the `system` fixture). Every example runs inside its
own `boa.env.anchor()`, entered when the machine is made and left in `teardown` (the boa
plugin's isolation wraps only the whole test), so it starts from the fresh deployment and
everything it did, clock included, is undone. Deploying afresh for each example would also
start it clean, at about 40% more time per run.

`test_jobs_economy_regression` replays one fixed run through every rule and pins its outcomes.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import boa
import pytest
from eth_utils import keccak
from hypothesis import currently_in_test_context, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.contracts.conftest import (
    DAY,
    KIND_SIMULATED,
    MEASUREMENT,
    TOKEN,
    System,
    private_key,
)
from veritee.crypto.typed_data import JobResult, address_of

T = TypeVar("T")

PENDING, SETTLED, FAILED, EXPIRED = 1, 2, 3, 4
WORKER_ACTIVE, WORKER_UNBONDING, WORKER_WITHDRAWN = 1, 2, 3
MODEL_REGISTERED, MODEL_VERIFIED, MODEL_DEPRECATED = 1, 2, 3
BPS = 10_000
MAX_AMOUNT = 2**96 - 1
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
UNKNOWN_MODEL = 99
# Key of an enclave no gatekeeper ever certified.
INTRUDER_KEY = private_key("enclave:intruder")

# Status transitions a job may make between two observations.
LEGAL_TRANSITIONS = {
    (PENDING, PENDING),
    (PENDING, SETTLED),
    (PENDING, FAILED),
    (PENDING, EXPIRED),
    (SETTLED, SETTLED),
    (FAILED, FAILED),
    (EXPIRED, EXPIRED),
}


# --- the model ------------------------------------------------------------------------------


@dataclass
class WorkerState:
    address: str
    key: bytes
    operator: str
    price: int
    serves: frozenset[int]
    expiry: int
    bond: int
    deposited: int
    slashed: int = 0
    withdrawn: int = 0
    status: int = WORKER_ACTIVE
    unbond_at: int = 0


@dataclass
class ModelState:
    owner: str
    price: int
    status: int


@dataclass
class CapsuleState:
    owner: str
    price: int
    max_uses: int
    expiry: int
    allowed: frozenset[int]
    revoked: bool = False
    uses: int = 0
    pending: int = 0


@dataclass
class JobState:
    requester: str
    worker: str
    max_fee: int
    deadline: int
    model_owner: str
    model_fee: int
    worker_fee: int
    protocol_fee: int
    capsule_fees: list[tuple[int, int]]
    status: int = PENDING


@dataclass
class Economy:
    """What the contracts should hold: balances, claimables, bonds, capsule uses, jobs.

    Pure: the clock is an input (`now`) and every method either predicts an outcome (the
    `*_error` methods return the exact revert string, or None for success) or applies one.
    """

    treasury: str
    jobs_address: str
    workers_address: str
    now: int
    protocol_fee_bps: int
    slash_amount: int
    slasher_reward_bps: int
    max_job_duration: int
    min_bond: int
    unbonding_delay: int
    balances: dict[str, int]
    supply: int
    measurement_allowed: bool = True
    workers: dict[str, WorkerState] = field(default_factory=dict)
    models: dict[int, ModelState] = field(default_factory=dict)
    capsules: dict[int, CapsuleState] = field(default_factory=dict)
    jobs: dict[int, JobState] = field(default_factory=dict)
    claimable: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    moved: set[str] = field(default_factory=set)  # holders whose balance moved since an audit

    # --- tokens ---------------------------------------------------------------------------
    def move(self, source: str, target: str, amount: int) -> None:
        assert self.balances[source] >= amount
        self.balances[source] -= amount
        self.balances[target] += amount
        self.moved |= {source, target}

    def escrowed(self) -> int:
        return sum(job.max_fee for job in self.jobs.values() if job.status == PENDING)

    def pending_jobs(self, worker: str | None = None) -> list[int]:
        return [
            job_id
            for job_id, job in self.jobs.items()
            if job.status == PENDING and worker in (None, job.worker)
        ]

    # --- eligibility ----------------------------------------------------------------------
    def certified_error(self, worker: str) -> str | None:
        """Why `Workers.check_certified` refuses the worker, if it does."""
        state = self.workers.get(worker)
        if state is None or state.status not in (WORKER_ACTIVE, WORKER_UNBONDING):
            return "Workers: worker not registered"
        if state.expiry <= self.now:
            return "Workers: certificate expired"
        if not self.measurement_allowed:
            return "TeePolicy: measurement not allowed"
        return None

    def eligible_error(self, worker: str, model_id: int) -> str | None:
        """Why `Workers.check_eligible` refuses a new job, if it does."""
        state = self.workers.get(worker)
        if state is None or state.status != WORKER_ACTIVE:
            return "Workers: worker not active"
        if (error := self.certified_error(worker)) is not None:
            return error
        if state.bond < self.min_bond:
            return "Workers: bond below minimum"
        if model_id not in state.serves:
            return "Workers: worker does not serve model"
        return None

    def capsule_use_error(self, capsule_id: int, model_id: int) -> str | None:
        capsule = self.capsules.get(capsule_id)
        if capsule is None:
            return "Capsules: unknown capsule"
        if capsule.revoked:
            return "Capsules: capsule revoked"
        if capsule.expiry != 0 and self.now >= capsule.expiry:
            return "Capsules: capsule expired"
        if capsule.allowed and model_id not in capsule.allowed:
            return "Capsules: model not allowed"
        if capsule.max_uses != 0 and capsule.uses + capsule.pending >= capsule.max_uses:
            return "Capsules: capsule used up"
        return None

    # --- submit ---------------------------------------------------------------------------
    def quote(self, worker: str, model_id: int, capsule_ids: Sequence[int]) -> int:
        """The price `submit` would charge now (unknown parties count as free)."""
        subtotal = self.workers[worker].price if worker in self.workers else 0
        subtotal += self.models[model_id].price if model_id in self.models else 0
        subtotal += sum(self.capsules[c].price for c in capsule_ids if c in self.capsules)
        return subtotal + subtotal * self.protocol_fee_bps // BPS

    def submit_error(
        self, worker: str, model_id: int, capsule_ids: Sequence[int], max_fee: int, deadline: int
    ) -> str | None:
        if max_fee > MAX_AMOUNT:
            return "Jobs: max fee too large"
        if deadline <= self.now:
            return "Jobs: deadline in the past"
        if deadline > self.now + self.max_job_duration:
            return "Jobs: deadline too far"
        if (error := self.eligible_error(worker, model_id)) is not None:
            return error
        model = self.models.get(model_id)
        if model is None:
            return "Models: unknown model"
        if model.status != MODEL_VERIFIED:
            return "Models: model not verified"
        for i, capsule_id in enumerate(capsule_ids):
            if capsule_id in capsule_ids[i + 1 :]:
                return "Jobs: duplicate capsule"
            if (error := self.capsule_use_error(capsule_id, model_id)) is not None:
                return error
        if self.quote(worker, model_id, capsule_ids) > max_fee:
            return "Jobs: max fee below price"
        return None

    def submit(
        self,
        requester: str,
        worker: str,
        model_id: int,
        capsule_ids: Sequence[int],
        max_fee: int,
        deadline: int,
    ) -> int:
        model = self.models[model_id]
        capsule_fees = [(c, self.capsules[c].price) for c in capsule_ids]
        worker_fee = self.workers[worker].price
        subtotal = model.price + worker_fee + sum(fee for _, fee in capsule_fees)
        job_id = len(self.jobs) + 1
        self.jobs[job_id] = JobState(
            requester=requester,
            worker=worker,
            max_fee=max_fee,
            deadline=deadline,
            model_owner=model.owner,
            model_fee=model.price,
            worker_fee=worker_fee,
            protocol_fee=subtotal * self.protocol_fee_bps // BPS,
            capsule_fees=capsule_fees,
        )
        for capsule_id in capsule_ids:
            self.capsules[capsule_id].pending += 1
        self.move(requester, self.jobs_address, max_fee)
        return job_id

    # --- settle ---------------------------------------------------------------------------
    def settle_error(
        self, worker: str, results: Sequence[JobResult], signed_by_worker: bool
    ) -> str | None:
        """Why `Jobs.settle(worker, results, signature)` reverts, if it does."""
        if not results:
            return "Jobs: empty batch"
        if (error := self.certified_error(worker)) is not None:
            return error
        if not signed_by_worker:
            return "Jobs: invalid result signature"
        settled: set[int] = set()
        for result in results:
            job = self.jobs.get(result.job_id)
            if job is None:
                return "Jobs: unknown job"
            if job.status != PENDING or result.job_id in settled:
                return "Jobs: job not pending"
            if job.worker != worker:
                return "Jobs: job not assigned to worker"
            if self.now > job.deadline:
                return "Jobs: job past deadline"
            settled.add(result.job_id)
        return None

    def settle(self, worker: str, results: Sequence[JobResult]) -> None:
        operator = self.workers[worker].operator
        for result in results:
            job = self.jobs[result.job_id]
            assert job.status == PENDING
            if result.status == 0:
                paid = job.model_fee + job.worker_fee + job.protocol_fee
                self.claimable[job.model_owner] += job.model_fee
                for capsule_id, fee in job.capsule_fees:
                    capsule = self.capsules[capsule_id]
                    capsule.pending -= 1
                    capsule.uses += 1
                    self.claimable[capsule.owner] += fee
                    paid += fee
                self.claimable[operator] += job.worker_fee
                self.claimable[self.treasury] += job.protocol_fee
                self.claimable[job.requester] += job.max_fee - paid
                job.status = SETTLED
            else:
                for capsule_id, _ in job.capsule_fees:
                    self.capsules[capsule_id].pending -= 1
                self.claimable[job.requester] += job.max_fee
                job.status = FAILED

    # --- expire ---------------------------------------------------------------------------
    def expire_error(self, job_id: int) -> str | None:
        job = self.jobs.get(job_id)
        if job is None:
            return "Jobs: unknown job"
        if job.status != PENDING:
            return "Jobs: job not pending"
        if self.now <= job.deadline:
            return "Jobs: deadline not passed"
        return None

    def expire(self, job_id: int, caller: str) -> None:
        job = self.jobs[job_id]
        job.status = EXPIRED
        for capsule_id, _ in job.capsule_fees:
            self.capsules[capsule_id].pending -= 1
        self.claimable[job.requester] += job.max_fee
        worker = self.workers[job.worker]
        slashed = min(worker.bond, self.slash_amount)
        worker.bond -= slashed
        worker.slashed += slashed
        self.move(self.workers_address, self.jobs_address, slashed)
        reward = slashed * self.slasher_reward_bps // BPS
        self.claimable[caller] += reward
        self.claimable[self.treasury] += slashed - reward

    # --- claims and bonds -----------------------------------------------------------------
    def claim(self, account: str) -> int:
        amount = self.claimable.pop(account, 0)
        self.move(self.jobs_address, account, amount)
        return amount

    def add_bond_error(self, worker: str, amount: int) -> str | None:
        if self.workers[worker].status != WORKER_ACTIVE:
            return "Workers: worker not active"
        if amount == 0:
            return "Workers: zero amount"
        return None

    def add_bond(self, worker: str, amount: int) -> None:
        state = self.workers[worker]
        state.bond += amount
        state.deposited += amount
        self.move(state.operator, self.workers_address, amount)

    def renew_error(self, worker: str, expiry: int) -> str | None:
        state = self.workers[worker]
        if state.status not in (WORKER_ACTIVE, WORKER_UNBONDING):
            return "Workers: worker not registered"
        if not self.measurement_allowed:
            return "TeePolicy: measurement not allowed"
        if expiry <= state.expiry:
            return "Workers: certificate not newer"
        return None

    def withdraw_error(self, worker: str) -> str | None:
        state = self.workers[worker]
        if state.status != WORKER_UNBONDING:
            return "Workers: worker not unbonding"
        if self.now < state.unbond_at:
            return "Workers: unbonding delay not over"
        return None

    def withdraw(self, worker: str) -> None:
        state = self.workers[worker]
        state.status = WORKER_WITHDRAWN
        state.withdrawn += state.bond
        self.move(self.workers_address, state.operator, state.bond)
        state.bond = 0


# --- the machine ----------------------------------------------------------------------------


def tokens(most: int) -> st.SearchStrategy[int]:
    """Amounts up to `most` tokens: in hundredths of a token, or any number of wei (for the
    rounding). Hypothesis draws wide integer ranges mostly near zero, hence the hundredths."""
    return st.one_of(
        st.integers(0, 100 * most).map(lambda hundredths: hundredths * TOKEN // 100),
        st.integers(0, most * TOKEN),
    )


PICK = st.integers(0, 2**16)
# None, a part of a bond, more than any bond, or anything in between.
SLASH = st.one_of(st.sampled_from([0, 50 * TOKEN, 500 * TOKEN]), tokens(200))
FAILURE_CODES = st.sampled_from([1, 2, 7, 255])
RESULT_STATUS = st.one_of(st.just(0), FAILURE_CODES)
DEADLINE_OFFSET = st.one_of(
    st.integers(1, DAY),
    st.sampled_from([-3_600, 0, 1, DAY, DAY + 1]),
)
WORKER_SPEC = st.tuples(
    tokens(20),  # price per job
    st.sampled_from([(0,), (1,), (0, 1)]),  # verified models served, by index
    st.booleans(),  # also serves the unverified model
    tokens(60),  # bond above the minimum
    st.one_of(st.just(30 * DAY), st.integers(3_600, 7 * DAY)),  # certificate lifetime
)
CAPSULE_SPEC = st.tuples(
    st.integers(0, 1),  # owner index
    tokens(10),  # price per use
    st.integers(0, 3),  # max uses (0: unlimited)
    st.sets(st.integers(0, 2), max_size=2),  # allowed models, by index (empty: any)
    st.one_of(st.just(0), st.integers(1, 3 * DAY)),  # lifetime (0: no expiry)
)
# requester, worker, model, capsules, fee mode, fee above the price, deadline offset
PLAUSIBLE_JOB = st.tuples(
    PICK,
    PICK,
    PICK,
    st.lists(PICK, max_size=3),
    st.sampled_from(["exact", "above"]),
    tokens(20),
    st.integers(1, DAY),
)
FORGERIES = (
    "wrong_enclave_key",
    "uncertified_key",
    "foreign_job",
    "duplicate_job",
    "flipped_status",
    "new_result_hash",
    "new_result_uri",
    "swapped_job_id",
    "dropped_result",
    "extra_result",
    "other_worker_claims_batch",
    "malleated_signature",
    "truncated_signature",
    "empty_batch",
)


@contextlib.contextmanager
def reverts_with(reason: str) -> Iterator[None]:
    """Asserts that the block reverts, naming exactly `reason`."""
    try:
        yield
    except boa.BoaError as error:
        frame = error.stack_trace.last_frame
        got = getattr(frame, "pretty_vm_reason", frame)
        assert got == reason, f"reverted with {got!r}, model expected {reason!r}"
    else:
        raise AssertionError(f"did not revert, model expected {reason!r}")


def malleate(signature: bytes) -> bytes:
    """The high-s twin of a signature: recovers the same key, which the contract must refuse."""
    s = int.from_bytes(signature[32:64], "big")
    return signature[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - signature[64]])


class JobsMachine(RuleBasedStateMachine):
    """Random submissions, settlements (honest and forged), expiries, claims, bond moves,
    policy switches and owners' changes, each checked against the model."""

    def __init__(self, system: System) -> None:
        super().__init__()
        self.system = system
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self.economy: Economy | None = None
        self.observed_status: dict[int, int] = {}
        self.once: set[str] = set()
        self.audit_due = True
        self.outcomes: list[str] = []

    def teardown(self) -> None:
        self._anchor.__exit__(None, None, None)

    # --- helpers --------------------------------------------------------------------------
    @property
    def model(self) -> Economy:
        assert self.economy is not None
        return self.economy

    @property
    def worker_list(self) -> list[WorkerState]:
        return list(self.model.workers.values())

    def ready(self) -> bool:
        return self.economy is not None

    def accounts(self) -> list[str]:
        """Every account, in the order of their roles."""
        return [a for a in self.model.balances if a not in self._contracts()]

    def _contracts(self) -> set[str]:
        return {self.model.jobs_address, self.model.workers_address}

    def fund(self, account: str, amount: int) -> None:
        self.system.fund(account, amount)
        self.audit_due = True
        self.model.move(str(self.system.owner), account, amount)

    def expect(self, action: str, error: str | None, call: Callable[[], T]) -> T | None:
        """Makes the call, expecting the model's outcome: success or the exact revert."""
        outcome = f"{action}: {error or 'ok'}"
        self.outcomes.append(outcome)
        if currently_in_test_context():
            event(outcome)
        if error is None:
            self.audit_due = True
            return call()
        with reverts_with(error):
            call()
        return None

    def result(self, job_id: int, status: int, salt: int) -> JobResult:
        return JobResult(
            job_id, keccak(text=f"result:{job_id}:{salt}"), f"blob://r/{salt % 7}", status
        )

    def send_settle(
        self, worker: str, results: Sequence[JobResult], signature: bytes, sender: int
    ) -> Callable[[], None]:
        relayer = self.accounts()[sender % len(self.accounts())]

        def call() -> None:
            with boa.env.prank(relayer):
                self.system.jobs.settle(worker, [r.as_tuple() for r in results], signature)

        return call

    # --- setup ----------------------------------------------------------------------------
    @initialize(
        worker_specs=st.lists(WORKER_SPEC, min_size=2, max_size=3),
        model_prices=st.lists(tokens(30), min_size=3, max_size=3),
        capsule_specs=st.lists(CAPSULE_SPEC, min_size=3, max_size=5),
        first_jobs=st.lists(PLAUSIBLE_JOB, min_size=1, max_size=6),
        terms=st.tuples(
            st.integers(0, 2_000),  # protocol fee, in basis points
            SLASH,  # slash per expired job
            st.integers(0, BPS),  # slasher's share, in basis points
        ),
    )
    def setup(
        self,
        worker_specs: list[tuple[int, tuple[int, ...], bool, int, int]],
        model_prices: list[int],
        capsule_specs: list[tuple[int, int, int, set[int], int]],
        first_jobs: list[tuple[Any, ...]],
        terms: tuple[int, int, int] | None = None,
    ) -> None:
        """The protocol's terms (without them, the deployment's), two verified models and one
        unverified, 2 to 3 workers, 3 to 5 capsules, and the first jobs (so that every run has
        some, whichever rules it leaves out)."""
        system = self.system
        jobs, workers, token = system.jobs, system.workers, system.token
        requesters = [system.actor(f"requester:{i}") for i in range(3)]
        model_owners = [system.actor(f"model-owner:{i}") for i in range(2)]
        capsule_owners = [system.actor(f"capsule-owner:{i}") for i in range(2)]
        helpers = [system.actor("keeper"), system.actor("relayer"), system.actor("treasury:2")]
        operators = [system.actor(f"operator:w{i}") for i in range(len(worker_specs))]
        holders = [system.owner, system.treasury, system.verifier, *requesters, *model_owners]
        holders += [*capsule_owners, *helpers, *operators, jobs.address, workers.address]
        balances = {str(a): token.balanceOf(a) for a in holders}
        assert sum(balances.values()) == token.totalSupply(), "an untracked account holds tokens"
        self.economy = Economy(
            treasury=str(jobs.treasury()),
            jobs_address=str(jobs.address),
            workers_address=str(workers.address),
            now=boa.env.evm.patch.timestamp,
            protocol_fee_bps=jobs.protocol_fee_bps(),
            slash_amount=jobs.slash_amount(),
            slasher_reward_bps=jobs.slasher_reward_bps(),
            max_job_duration=jobs.max_job_duration(),
            min_bond=workers.min_bond(),
            unbonding_delay=workers.unbonding_delay(),
            balances=balances,
            supply=token.totalSupply(),
        )
        model = self.model
        if terms is not None:
            protocol_fee_bps, slash_amount, slasher_reward_bps = terms
            with boa.env.prank(system.owner):
                jobs.set_protocol_fee_bps(protocol_fee_bps)
                jobs.set_slash_amount(slash_amount)
                jobs.set_slasher_reward_bps(slasher_reward_bps)
            model.protocol_fee_bps, model.slash_amount = protocol_fee_bps, slash_amount
            model.slasher_reward_bps = slasher_reward_bps

        model_ids = []
        for i, price in enumerate(model_prices):
            owner = model_owners[i % 2]
            if i < 2:
                model_id = system.register_model(owner=owner, price=price)
                status = MODEL_VERIFIED
            else:
                with boa.env.prank(owner):
                    model_id = system.models.register(
                        "draft", "0.1", keccak(b"draft"), "onnx", "blob://draft", price
                    )
                status = MODEL_REGISTERED
            model.models[model_id] = ModelState(str(owner), price, status)
            model_ids.append(model_id)

        for i, spec in enumerate(worker_specs):
            price, served, serves_draft, extra_bond, lifetime = spec
            key, operator = private_key(f"enclave:w{i}"), str(operators[i])
            bond = model.min_bond + extra_bond
            serves = [model_ids[m] for m in (*served, 2)[: len(served) + serves_draft]]
            certificate = system.certificate(key, operator, expiry=model.now + lifetime)
            self.fund(operator, bond)
            system.approve(operator, workers, bond)
            with boa.env.prank(operator):
                workers.register(
                    certificate.as_tuple(),
                    system.sign_certificate(certificate),
                    f"http://127.0.0.1:900{i}",
                    price,
                    serves,
                    bond,
                )
            model.move(operator, model.workers_address, bond)
            model.workers[certificate.enclave] = WorkerState(
                address=certificate.enclave,
                key=key,
                operator=operator,
                price=price,
                serves=frozenset(serves),
                expiry=certificate.expiry,
                bond=bond,
                deposited=bond,
            )

        for i, (owner_index, price, max_uses, allowed, lifetime) in enumerate(capsule_specs):
            owner = capsule_owners[owner_index]
            expiry = model.now + lifetime if lifetime else 0
            allowed_ids = [model_ids[m] for m in sorted(allowed)]
            capsule_id = system.register_capsule(
                owner,
                label=f"c{i}",
                allowed_models=allowed_ids,
                price=price,
                max_uses=max_uses,
                expiry=expiry,
            )
            model.capsules[capsule_id] = CapsuleState(
                str(owner), price, max_uses, expiry, frozenset(allowed_ids)
            )
        self.submit_plausible_jobs(first_jobs)

    # --- submit ---------------------------------------------------------------------------
    def submit(
        self,
        requester: int,
        worker: str,
        model_id: int,
        capsule_ids: list[int],
        fee_mode: str,
        fee_delta: int,
        deadline_offset: int,
    ) -> None:
        model, jobs = self.model, self.system.jobs
        account = str(self.system.actor(f"requester:{requester % 3}"))
        price = model.quote(worker, model_id, capsule_ids)
        if fee_mode == "below" and price > 0:
            max_fee = price - 1 - fee_delta % price
        elif fee_mode == "above":
            max_fee = price + fee_delta
        elif fee_mode == "too_large":
            max_fee = MAX_AMOUNT + 1 + fee_delta
        else:
            max_fee = price
        deadline = model.now + deadline_offset
        request = self.system.request(
            worker, model_id, capsule_ids=capsule_ids, max_fee=max_fee, deadline=deadline
        )
        if max_fee <= MAX_AMOUNT:
            self.fund(account, max_fee)
            self.system.approve(account, jobs, max_fee)
        error = model.submit_error(worker, model_id, capsule_ids, max_fee, deadline)

        def call() -> int:
            with boa.env.prank(account):
                return int(jobs.submit(request))

        job_id = self.expect("submit", error, call)
        if job_id is None:
            return
        expected_id = model.submit(account, worker, model_id, capsule_ids, max_fee, deadline)
        assert job_id == expected_id
        # The stored terms are the ones in force at submission, whatever changes later.
        stored, job = jobs.job(job_id), model.jobs[job_id]
        assert (str(stored.requester), str(stored.worker)) == (job.requester, job.worker)
        assert (stored.max_fee, stored.deadline, stored.status) == (max_fee, deadline, PENDING)
        assert (str(stored.model_owner), stored.model_fee) == (job.model_owner, job.model_fee)
        assert (stored.worker_fee, stored.protocol_fee) == (job.worker_fee, job.protocol_fee)
        assert list(zip(stored.capsule_ids, stored.capsule_fees, strict=True)) == job.capsule_fees

    @precondition(ready)
    @rule(
        requester=PICK,
        worker=PICK,
        model_index=PICK,
        capsules=st.lists(PICK, max_size=4),
        fee_mode=st.sampled_from(["below", "exact", "above", "too_large"]),
        fee_delta=tokens(50),
        deadline_offset=DEADLINE_OFFSET,
    )
    def submit_job(
        self,
        requester: int,
        worker: int,
        model_index: int,
        capsules: list[int],
        fee_mode: str,
        fee_delta: int,
        deadline_offset: int,
    ) -> None:
        """Any job: an unknown worker, model or capsule, a low fee, a bad deadline."""
        workers = self.worker_list
        address = (
            address_of(INTRUDER_KEY) if worker % 10 == 9 else workers[worker % len(workers)].address
        )
        model_ids = sorted(self.model.models)
        model_id = UNKNOWN_MODEL if model_index % 4 == 3 else model_ids[model_index % 3]
        capsule_ids = sorted(self.model.capsules)
        picked = [capsule_ids[c % len(capsule_ids)] if c % 8 != 7 else 10**6 for c in capsules]
        self.submit(requester, address, model_id, picked, fee_mode, fee_delta, deadline_offset)

    @precondition(ready)
    @rule(specs=st.lists(PLAUSIBLE_JOB, min_size=1, max_size=3))
    def submit_plausible_jobs(self, specs: list[tuple[Any, ...]]) -> None:
        """Jobs likely to be accepted: an active worker, a verified model it serves, capsules
        open to it, enough fee and a valid deadline."""
        model = self.model
        workers = [w for w in self.worker_list if w.status == WORKER_ACTIVE] or self.worker_list
        capsule_ids = sorted(model.capsules)
        for requester, worker, model_index, capsules, fee_mode, fee_delta, offset in specs:
            state = workers[worker % len(workers)]
            served = [m for m in sorted(state.serves) if m in model.models] or sorted(model.models)
            usable = [m for m in served if model.models[m].status == MODEL_VERIFIED] or served
            model_id = usable[model_index % len(usable)]
            picked = list(dict.fromkeys(capsule_ids[c % len(capsule_ids)] for c in capsules))
            picked = [c for c in picked if model.capsule_use_error(c, model_id) is None]
            self.submit(requester, state.address, model_id, picked, fee_mode, fee_delta, offset)

    # --- settle ---------------------------------------------------------------------------
    @precondition(lambda self: self.ready() and self.model.pending_jobs())
    @rule(
        worker=PICK,
        picks=st.lists(st.tuples(PICK, RESULT_STATUS), min_size=1, max_size=6),
        live_only=st.booleans(),
        sender=PICK,
        salt=PICK,
        at_deadline=st.booleans(),
    )
    def settle_batch(
        self,
        worker: int,
        picks: list[tuple[int, int]],
        live_only: bool,
        sender: int,
        salt: int,
        at_deadline: bool = False,
    ) -> None:
        """A batch of one worker's pending jobs, honestly signed, each a success or a failure;
        maybe sent at the last second the earliest of them may settle."""
        model = self.model
        candidates = [w for w in self.worker_list if model.pending_jobs(w.address)]
        state = candidates[worker % len(candidates)]
        job_ids = model.pending_jobs(state.address)
        live = [j for j in job_ids if model.jobs[j].deadline >= model.now]
        if live_only and live:
            job_ids = live
        chosen = {job_ids[pick % len(job_ids)]: status for pick, status in picks}
        deadline = min(model.jobs[j].deadline for j in chosen)
        if at_deadline and deadline > model.now:
            self.travel(deadline - model.now)
        results = [self.result(job_id, status, salt) for job_id, status in chosen.items()]
        signature = self.system.sign_batch(state.key, results)
        error = model.settle_error(state.address, results, signed_by_worker=True)
        self.expect("settle", error, self.send_settle(state.address, results, signature, sender))
        if error is None:
            model.settle(state.address, results)

    @precondition(lambda self: self.ready() and self.model.pending_jobs())
    @rule(
        worker=PICK,
        picks=st.lists(st.tuples(PICK, RESULT_STATUS), min_size=1, max_size=6),
        sender=PICK,
        salt=PICK,
    )
    def settle_live_batch(
        self, worker: int, picks: list[tuple[int, int]], sender: int, salt: int
    ) -> None:
        """Like `settle_batch`, among jobs still within their deadline (payments are the
        point of the exercise, so they get a rule of their own)."""
        self.settle_batch(worker, picks, live_only=True, sender=sender, salt=salt)

    @precondition(lambda self: self.ready() and self.model.jobs)
    @rule(
        kind=st.sampled_from(FORGERIES),
        worker=PICK,
        other=PICK,
        picks=st.lists(st.tuples(PICK, RESULT_STATUS), min_size=1, max_size=4),
        sender=PICK,
        salt=PICK,
    )
    def forge_settlement(
        self,
        kind: str,
        worker: int,
        other: int,
        picks: list[tuple[int, int]],
        sender: int,
        salt: int,
    ) -> None:
        """A batch that must be refused: wrong key, someone else's job, or tampered with."""
        model = self.model
        workers = self.worker_list
        state = workers[worker % len(workers)]
        rival = workers[(worker + 1 + other % (len(workers) - 1)) % len(workers)]
        own = model.pending_jobs(state.address) or sorted(
            j for j, job in model.jobs.items() if job.worker == state.address
        )
        pool = own or sorted(model.jobs)
        chosen = {pool[pick % len(pool)]: status for pick, status in picks}
        results = [self.result(job_id, status, salt) for job_id, status in chosen.items()]
        claimed_by = state.address
        if kind == "foreign_job":
            foreign = [j for j, job in model.jobs.items() if job.worker != state.address]
            job_id = foreign[other % len(foreign)] if foreign else len(model.jobs) + 1
            results.append(self.result(job_id, 0, salt))
        elif kind == "duplicate_job":
            results.append(dataclasses.replace(results[0], status=results[0].status ^ 1))
        signature = self.system.sign_batch(state.key, results)
        signed_by_worker = kind in ("foreign_job", "duplicate_job")

        first = results[0]
        if kind == "wrong_enclave_key":
            signature = self.system.sign_batch(rival.key, results)
        elif kind == "uncertified_key":
            signature = self.system.sign_batch(INTRUDER_KEY, results)
        elif kind == "flipped_status":
            results[0] = dataclasses.replace(first, status=0 if first.status else 1)
        elif kind == "new_result_hash":
            results[0] = dataclasses.replace(first, result_hash=keccak(first.result_hash))
        elif kind == "new_result_uri":
            results[0] = dataclasses.replace(first, result_uri=first.result_uri + "#")
        elif kind == "swapped_job_id":
            results[0] = dataclasses.replace(first, job_id=first.job_id + 1 + other % 3)
        elif kind == "dropped_result" and len(results) > 1:
            results.pop()
        elif kind in ("dropped_result", "extra_result"):
            results.append(self.result(first.job_id + 1 + other % 3, 0, salt))
        elif kind == "other_worker_claims_batch":
            claimed_by = rival.address
        elif kind == "malleated_signature":
            signature = malleate(signature)
        elif kind == "truncated_signature":
            signature = signature[:64]
        elif kind == "empty_batch":
            results, signature = [], self.system.sign_batch(state.key, [])

        error = model.settle_error(claimed_by, results, signed_by_worker)
        assert error is not None, f"the model would accept a {kind} forgery"
        self.expect(
            "forged settle", error, self.send_settle(claimed_by, results, signature, sender)
        )
        for result in results:
            job = model.jobs.get(result.job_id)
            assert self.system.jobs.job_status(result.job_id) == (job.status if job else 0)

    @precondition(lambda self: self.ready() and self.model.jobs)
    @rule(
        pick=PICK,
        action=st.sampled_from(["settle", "expire", "expire_unknown"]),
        status=RESULT_STATUS,
        sender=PICK,
        salt=PICK,
    )
    def refinish_job(self, pick: int, action: str, status: int, sender: int, salt: int) -> None:
        """Settling or expiring a job that is already settled, failed or expired, or unknown."""
        model, jobs = self.model, self.system.jobs
        account = self.accounts()[sender % len(self.accounts())]
        finished = sorted(j for j, job in model.jobs.items() if job.status != PENDING)
        if action == "expire_unknown" or not finished:
            job_id = (0, len(model.jobs) + 1, 2**64)[pick % 3]
            error = model.expire_error(job_id)
            assert error == "Jobs: unknown job"
            self.expect("expire unknown job", error, self.as_account(account, jobs.expire, job_id))
            return
        job_id = finished[pick % len(finished)]
        job = model.jobs[job_id]
        if action == "expire":
            error = model.expire_error(job_id)
            assert error == "Jobs: job not pending"
            self.expect("expire finished job", error, self.as_account(account, jobs.expire, job_id))
            return
        results = [self.result(job_id, status, salt)]
        signature = self.system.sign_batch(model.workers[job.worker].key, results)
        error = model.settle_error(job.worker, results, signed_by_worker=True)
        assert error is not None
        self.expect(
            "settle finished job", error, self.send_settle(job.worker, results, signature, sender)
        )

    # --- expire and time ------------------------------------------------------------------
    @precondition(lambda self: self.ready() and self.model.pending_jobs())
    @rule(
        pick=PICK,
        wait=st.sampled_from(["past_deadline", "past_deadline", "to_deadline", "no"]),
        caller=PICK,
    )
    def expire_job(self, pick: int, wait: str, caller: int) -> None:
        """Anyone expires a pending job: refund and slash after the deadline, revert until
        then. A keeper may first wait until one second past the deadline, or exactly to it."""
        model = self.model
        job_ids = model.pending_jobs()
        job_id = job_ids[pick % len(job_ids)]
        if wait != "no" and model.jobs[job_id].deadline + 1 > model.now:
            self.travel(model.jobs[job_id].deadline + (wait == "past_deadline") - model.now)
        account = self.accounts()[caller % len(self.accounts())]

        def call() -> None:
            with boa.env.prank(account):
                self.system.jobs.expire(job_id)

        error = model.expire_error(job_id)
        self.expect("expire", error, call)
        if error is None:
            model.expire(job_id, account)

    @precondition(ready)
    @rule(
        mode=st.sampled_from(["by", "to_deadline", "past_deadline"]),
        seconds=st.one_of(st.integers(1, 3_600), st.integers(3_600, 2 * DAY)),
        pick=PICK,
    )
    def advance_time(self, mode: str, seconds: int, pick: int) -> None:
        """Time passes: by some seconds, or exactly to a pending deadline or one second past it
        (the last second a job can settle, the first it can expire)."""
        model = self.model
        upcoming = sorted(model.jobs[j].deadline for j in model.pending_jobs())
        upcoming = [deadline for deadline in upcoming if deadline >= model.now]
        if mode != "by" and upcoming:
            deadline = upcoming[pick % len(upcoming)] + (mode == "past_deadline")
            seconds = deadline - model.now
        if seconds > 0:
            self.travel(seconds)

    def travel(self, seconds: int) -> None:
        boa.env.time_travel(seconds=seconds)
        self.model.now += seconds

    # --- claims ---------------------------------------------------------------------------
    @precondition(ready)
    @rule(account=PICK, owed_only=st.sampled_from([True, True, False]))
    def claim(self, account: int, owed_only: bool) -> None:
        model = self.model
        accounts = self.accounts()
        owed = [a for a in accounts if model.claimable.get(a, 0) > 0]
        if owed_only and owed:
            accounts = owed
        target = accounts[account % len(accounts)]

        def call() -> int:
            with boa.env.prank(target):
                return int(self.system.jobs.claim())

        amount = model.claimable.get(target, 0)
        balance = self.system.token.balanceOf(target)
        paid = self.expect("claim", "Jobs: nothing to claim" if amount == 0 else None, call)
        if paid is not None:
            assert paid == amount == model.claim(target)
            assert self.system.token.balanceOf(target) == balance + amount

    # --- bonds and policy -----------------------------------------------------------------
    @precondition(ready)
    @rule(
        action=st.sampled_from(["top_up", "begin_unbonding", "withdraw", "renew", "set_models"]),
        worker=PICK,
        amount=tokens(100),
        lifetime=st.integers(1, 7 * DAY),
        wait=st.booleans(),
        models=st.lists(st.integers(0, 3), max_size=4, unique=True),
    )
    def operator_action(
        self,
        action: str,
        worker: int,
        amount: int,
        lifetime: int,
        wait: bool,
        models: list[int] | None = None,
    ) -> None:
        """An operator tops up its bond, starts unbonding (never the last active worker, so
        jobs keep flowing), withdraws (waiting out the unbonding delay, or not), renews its
        certificate, or changes the models it serves (the draft and an unknown one too)."""
        model, workers = self.model, self.system.workers
        state = self.worker_list[worker % len(self.worker_list)]
        if (
            action == "begin_unbonding"
            and sum(w.status == WORKER_ACTIVE for w in self.worker_list) < 2
        ):
            action = "top_up"
        if action == "top_up":
            self.fund(state.operator, amount)
            self.system.approve(state.operator, workers, amount)
            error = model.add_bond_error(state.address, amount)
            call = self.as_account(state.operator, workers.add_bond, state.address, amount)
            if self.expect("add bond", error, call) is not None:
                model.add_bond(state.address, amount)
        elif action == "begin_unbonding":
            error = None if state.status == WORKER_ACTIVE else "Workers: worker not active"
            call = self.as_account(state.operator, workers.begin_unbonding, state.address)
            if self.expect("begin unbonding", error, call) is not None:
                state.status = WORKER_UNBONDING
                state.unbond_at = model.now + model.unbonding_delay
        elif action == "withdraw":
            if wait and state.status == WORKER_UNBONDING and state.unbond_at > model.now:
                self.travel(state.unbond_at - model.now)
            error = model.withdraw_error(state.address)
            call = self.as_account(state.operator, workers.withdraw_bond, state.address)
            if self.expect("withdraw bond", error, call) is not None:
                model.withdraw(state.address)
        elif action == "set_models":
            model_ids = [*sorted(model.models), UNKNOWN_MODEL]
            serves = [model_ids[m] for m in models or []]
            self.as_account(state.operator, workers.set_models, state.address, serves)()
            state.serves = frozenset(serves)
            self.audit_due = True
        else:
            certificate = self.system.certificate(
                state.key, state.operator, expiry=model.now + lifetime
            )
            signatures = self.system.sign_certificate(certificate)
            error = model.renew_error(state.address, certificate.expiry)
            call = self.as_account(
                state.operator, workers.renew, certificate.as_tuple(), signatures
            )
            if self.expect("renew certificate", error, call) is not None:
                state.expiry = certificate.expiry

    def as_account(self, account: str, function: Any, *args: Any) -> Callable[[], bool]:
        """A call of `function(*args)` from `account`, returning True when it succeeds."""

        def call() -> bool:
            with boa.env.prank(account):
                function(*args)
            return True

        return call

    def set_measurement(self, allowed: bool) -> None:
        with boa.env.prank(self.system.owner):
            self.system.policy.set_measurement(KIND_SIMULATED, MEASUREMENT, allowed)
        self.model.measurement_allowed = allowed
        self.audit_due = True

    @precondition(ready)
    @rule(
        worker=PICK, pick=PICK, salt=PICK, keep_blocked=st.sampled_from([False, False, False, True])
    )
    def policy_action(self, worker: int, pick: int, salt: int, keep_blocked: bool) -> None:
        """The policy drops the workers' measurement, so that their honestly signed results
        stop paying (and new jobs are refused), then admits it again, now or later."""
        model = self.model
        if not model.measurement_allowed:
            self.set_measurement(True)
            return
        self.set_measurement(False)
        state = self.worker_list[worker % len(self.worker_list)]
        job_ids = model.pending_jobs(state.address)
        if job_ids:
            results = [self.result(job_ids[pick % len(job_ids)], 0, salt)]
            signature = self.system.sign_batch(state.key, results)
            error = model.settle_error(state.address, results, signed_by_worker=True)
            assert error is not None
            self.expect(
                "settle under dropped policy",
                error,
                self.send_settle(state.address, results, signature, pick),
            )
        if not keep_blocked:
            self.set_measurement(True)

    @precondition(ready)
    @rule(
        setting=st.sampled_from(
            ["protocol_fee_bps", "slasher_reward_bps", "slash_amount", "treasury", "min_bond"]
        ),
        bps=st.integers(0, 11_000),
        amount=st.one_of(SLASH, tokens(200)),
    )
    def governance_action(self, setting: str, bps: int, amount: int) -> None:
        """The owner changes the protocol fee (kept by jobs already submitted), the slash and
        the slasher's share (applied when a job expires), the treasury or the minimum bond."""
        model, jobs, system = self.model, self.system.jobs, self.system
        self.audit_due = True
        if setting == "protocol_fee_bps":
            error = "Jobs: protocol fee too high" if bps > 2_000 else None
            call = self.as_account(system.owner, jobs.set_protocol_fee_bps, bps)
            if self.expect("set protocol fee", error, call) is not None:
                model.protocol_fee_bps = bps
        elif setting == "slasher_reward_bps":
            error = "Jobs: slasher reward above 100%" if bps > BPS else None
            call = self.as_account(system.owner, jobs.set_slasher_reward_bps, bps)
            if self.expect("set slasher reward", error, call) is not None:
                model.slasher_reward_bps = bps
        elif setting == "slash_amount":
            self.as_account(system.owner, jobs.set_slash_amount, amount)()
            model.slash_amount = amount
        elif setting == "treasury":
            treasuries = [str(system.treasury), str(system.actor("treasury:2"))]
            treasury = treasuries[1 - treasuries.index(model.treasury)]
            self.as_account(system.owner, jobs.set_treasury, treasury)()
            model.treasury = treasury
        else:
            self.as_account(system.owner, system.workers.set_min_bond, amount)()
            model.min_bond = amount

    # --- prices and policies --------------------------------------------------------------
    @precondition(ready)
    @rule(
        action=st.sampled_from(
            ["worker_price", "model_price", "capsule_policy", "revoke_capsule", "deprecate_model"]
        ),
        index=PICK,
        price=tokens(30),
        max_uses=st.integers(0, 4),
    )
    def owner_action(self, action: str, index: int, price: int, max_uses: int) -> None:
        """Owners reprice workers, models and capsules (pending jobs keep their terms), change
        a capsule's max uses, and once per run revoke a capsule or deprecate a model (no new
        jobs; pending ones still pay)."""
        model, system = self.model, self.system
        self.audit_due = True
        if action in self.once:
            action = "capsule_policy"
        if action in ("revoke_capsule", "deprecate_model"):
            self.once.add(action)
        capsule_id = sorted(model.capsules)[index % len(model.capsules)]
        capsule = model.capsules[capsule_id]
        model_id = sorted(model.models)[index % len(model.models)]
        if action == "worker_price":
            state = self.worker_list[index % len(self.worker_list)]
            self.as_account(state.operator, system.workers.set_price, state.address, price)()
            state.price = price
        elif action == "model_price":
            with boa.env.prank(model.models[model_id].owner):
                system.models.set_price(model_id, price)
            model.models[model_id].price = price
        elif action == "deprecate_model":
            with boa.env.prank(model.models[model_id].owner):
                system.models.deprecate(model_id)
            model.models[model_id].status = MODEL_DEPRECATED
        elif action == "revoke_capsule":
            with boa.env.prank(capsule.owner):
                system.capsules.revoke(capsule_id)
            capsule.revoked = True
        else:
            error = None
            if capsule.revoked:
                error = "Capsules: capsule revoked"
            elif max_uses != 0 and max_uses < capsule.uses + capsule.pending:
                error = "Capsules: max uses below uses made"
            elif capsule.expiry != 0 and capsule.expiry <= model.now:
                error = "Capsules: expiry in the past"

            def call() -> bool:
                with boa.env.prank(capsule.owner):
                    system.capsules.update_policy(
                        capsule_id, sorted(capsule.allowed), price, max_uses, capsule.expiry
                    )
                return True

            if self.expect("update capsule policy", error, call) is not None:
                capsule.price, capsule.max_uses = price, max_uses

    # --- invariants -----------------------------------------------------------------------
    # The totals are compared after every step. The audit of every account, job, worker and
    # capsule runs after each step that changed contract state: a reverted call changes
    # nothing (the EVM undoes it), so auditing after one would repeat the previous audit.

    @precondition(ready)
    @invariant()
    def tokens_are_conserved(self) -> None:
        model, jobs, workers, token = self.model, *self.system_parts()
        escrowed, total_claimable = jobs.escrowed(), jobs.total_claimable()
        assert token.balanceOf(jobs) == escrowed + total_claimable
        assert escrowed == model.escrowed() == model.balances[model.jobs_address] - total_claimable
        assert total_claimable == sum(model.claimable.values())
        bonds = sum(w.bond for w in self.worker_list)
        assert token.balanceOf(workers) == bonds == model.balances[model.workers_address]
        assert token.totalSupply() == model.supply
        assert jobs.job_count() == len(model.jobs)

    @precondition(lambda self: self.ready() and self.audit_due)
    @invariant()
    def state_matches_the_model(self) -> None:
        self.audit_due = False
        self.check_balances()
        self.check_claimables()
        self.check_job_statuses()
        self.check_bonds()
        self.check_capsules()

    def system_parts(self) -> tuple[Any, Any, Any]:
        return self.system.jobs, self.system.workers, self.system.token

    def check_balances(self) -> None:
        """The tokens of every holder the model moved tokens for since the last audit. Others
        cannot have changed: tokens move only at their holder's call or within the exact
        allowance it gave to `Jobs` or `Workers`, whose own balances are checked every step."""
        model, token = self.model, self.system.token
        assert sum(model.balances.values()) == model.supply
        for account in sorted(model.moved):
            assert token.balanceOf(account) == model.balances[account], account
        model.moved.clear()

    def check_claimables(self) -> None:
        """Payouts, refunds and rewards went to exactly the accounts the model says."""
        for account in self.accounts():
            assert self.system.jobs.claimable(account) == self.model.claimable.get(account, 0)

    def check_job_statuses(self) -> None:
        """Each job left `pending` at most once, the way the model says."""
        jobs = self.system.jobs
        for job_id, job in self.model.jobs.items():
            status = jobs.job_status(job_id)
            before = self.observed_status.get(job_id, PENDING)
            assert (before, status) in LEGAL_TRANSITIONS, (job_id, before, status)
            assert status == job.status, job_id
            self.observed_status[job_id] = status

    def check_bonds(self) -> None:
        """A bond is what was deposited less slashes and withdrawals, never negative."""
        for state in self.worker_list:
            chain = self.system.workers.workers(state.address)
            assert chain.bond == state.bond == state.deposited - state.slashed - state.withdrawn
            assert chain.bond >= 0 and chain.status == state.status

    def check_capsules(self) -> None:
        """Uses and reservations match the jobs that settled or are pending, within max uses."""
        model = self.model
        for capsule_id, capsule in model.capsules.items():
            chain = self.system.capsules.capsules(capsule_id)
            jobs = [j for j in model.jobs.values() if capsule_id in dict(j.capsule_fees)]
            settled = sum(j.status == SETTLED for j in jobs)
            pending = sum(j.status == PENDING for j in jobs)
            assert (chain.uses, chain.pending) == (capsule.uses, capsule.pending)
            assert (capsule.uses, capsule.pending) == (settled, pending)
            assert chain.max_uses == capsule.max_uses
            assert chain.max_uses == 0 or chain.uses + chain.pending <= chain.max_uses


@pytest.mark.slow
def test_jobs_economy(system: System) -> None:
    """50 random runs of 50 steps (about a minute)."""
    run_state_machine_as_test(
        lambda: JobsMachine(system),
        settings=settings(max_examples=50, stateful_step_count=50, deadline=None),
    )


# A fixed run: every forgery, every refusal of a submission, the policy dropping and readmitting
# the measurement, a certificate that expires and is renewed, two slashes, an unbonding and
# withdrawal, owners' changes and claims. Worker 0 serves models 0 and 1; worker 1 serves model 0
# and the unverified draft, and its certificate lasts two days. Capsule 0 allows two uses,
# capsule 1 only model 0, capsule 2 expires after two days.
REGRESSION_SETUP: dict[str, Any] = {
    "worker_specs": [
        (10 * TOKEN + 7, (0, 1), False, 100 * TOKEN, 7 * DAY),  # 7 wei: the fee rounds down
        (5 * TOKEN, (0,), True, 20 * TOKEN, 2 * DAY),
    ],
    "model_prices": [20 * TOKEN, 3 * TOKEN, TOKEN],
    "capsule_specs": [
        (0, 5 * TOKEN, 2, set(), 0),
        (1, TOKEN, 0, {0}, 0),
        (0, 2 * TOKEN, 0, set(), 2 * DAY),
    ],
    "first_jobs": [  # jobs 1 (worker 0), 2 (worker 1) and 3 (worker 0)
        (0, 0, 0, [0, 1], "above", TOKEN, 3_600),
        (1, 1, 0, [2], "exact", 0, 7_200),
        (2, 0, 1, [0], "above", 0, 600),
    ],
}


def _submit(worker: int = 0, model: int = 0, capsules: Sequence[int] = (), **kwargs: Any) -> Any:
    arguments = {"requester": 0, "fee_mode": "exact", "fee_delta": 0, "deadline_offset": 600}
    arguments |= {"worker": worker, "model_index": model, "capsules": list(capsules), **kwargs}
    return ("submit_job", arguments)


def _settle(picks: list[tuple[int, int]], **kwargs: Any) -> Any:
    arguments = {"worker": 0, "live_only": False, "sender": 2, "salt": 1, "at_deadline": False}
    return ("settle_batch", {**arguments, "picks": picks, **kwargs})


def _forge(kind: str, worker: int = 0) -> Any:
    arguments = {"worker": worker, "other": 0, "picks": [(0, 0), (1, 3)], "sender": 1, "salt": 7}
    return ("forge_settlement", {"kind": kind, **arguments})


def _operator(action: str, worker: int, **kwargs: Any) -> Any:
    arguments = {"amount": 0, "lifetime": 1, "wait": False} | kwargs
    return ("operator_action", {"action": action, "worker": worker, **arguments})


def _owner(action: str, index: int, price: int = 0, max_uses: int = 0) -> Any:
    return (
        "owner_action",
        {"action": action, "index": index, "price": price, "max_uses": max_uses},
    )


REGRESSION_STEPS: list[tuple[str, dict[str, Any]]] = [
    *[_forge(kind) for kind in FORGERIES],
    _settle([(0, 0), (1, 2)], live_only=True, at_deadline=True),  # job 3 at its deadline
    ("refinish_job", {"pick": 0, "action": "settle", "status": 0, "sender": 0, "salt": 2}),
    ("refinish_job", {"pick": 1, "action": "expire", "status": 0, "sender": 0, "salt": 2}),
    ("refinish_job", {"pick": 1, "action": "expire_unknown", "status": 0, "sender": 0, "salt": 2}),
    ("policy_action", {"worker": 1, "pick": 0, "salt": 3, "keep_blocked": True}),
    _submit(),
    _operator("renew", 1, lifetime=DAY),
    ("policy_action", {"worker": 1, "pick": 0, "salt": 3, "keep_blocked": False}),
    ("expire_job", {"pick": 0, "wait": "no", "caller": 3}),
    ("expire_job", {"pick": 0, "wait": "to_deadline", "caller": 3}),
    ("expire_job", {"pick": 0, "wait": "past_deadline", "caller": 3}),  # job 2: slashes worker 1
    _submit(worker=1),
    _submit(fee_mode="below"),
    _submit(fee_mode="too_large"),
    _submit(deadline_offset=0),
    _submit(deadline_offset=DAY + 1),
    _submit(capsules=[1, 1]),
    _submit(capsules=[0], requester=1, fee_mode="above", fee_delta=TOKEN, deadline_offset=DAY),
    _submit(capsules=[0]),
    _operator("top_up", 1, amount=50 * TOKEN),
    _submit(worker=1, model=2),
    _submit(worker=9),
    _submit(model=3),
    _submit(capsules=[7]),
    _submit(model=1, capsules=[1]),
    ("advance_time", {"mode": "by", "seconds": 2 * DAY, "pick": 0}),
    _settle([(0, 0)]),  # job 4, past its deadline
    _forge("foreign_job", worker=1),
    _submit(capsules=[2]),
    _operator("renew", 1, lifetime=7 * DAY),
    _submit(worker=1, requester=2, deadline_offset=DAY),  # job 5
    _operator("begin_unbonding", 1),
    _operator("withdraw", 1),
    _operator("withdraw", 1, wait=True),
    _forge("duplicate_job", worker=1),
    _settle([(0, 0)]),
    ("expire_job", {"pick": 1, "wait": "no", "caller": 4}),  # job 5: nothing left to slash
    ("expire_job", {"pick": 0, "wait": "no", "caller": 4}),  # job 4: slashes worker 0
    _owner("worker_price", 0, price=TOKEN),
    _owner("model_price", 0, price=TOKEN),
    _owner("capsule_policy", 0, price=TOKEN, max_uses=1),
    _owner("revoke_capsule", 1),
    _owner("deprecate_model", 1),
    *[("claim", {"account": i, "owed_only": True}) for i in range(8)],
    ("claim", {"account": 0, "owed_only": False}),
]


INVALID_SIGNATURE = "forged settle: Jobs: invalid result signature"
REGRESSION_OUTCOMES = [
    *["submit: ok"] * 3,
    *[INVALID_SIGNATURE] * 2,
    "forged settle: Jobs: job not assigned to worker",
    "forged settle: Jobs: job not pending",
    *[INVALID_SIGNATURE] * 9,
    "forged settle: Jobs: empty batch",
    "settle: ok",
    "settle finished job: Jobs: job not pending",
    "expire finished job: Jobs: job not pending",
    "expire unknown job: Jobs: unknown job",
    "settle under dropped policy: TeePolicy: measurement not allowed",
    "submit: TeePolicy: measurement not allowed",
    "renew certificate: TeePolicy: measurement not allowed",
    *["expire: Jobs: deadline not passed"] * 2,
    "expire: ok",
    "submit: Workers: bond below minimum",
    "submit: Jobs: max fee below price",
    "submit: Jobs: max fee too large",
    "submit: Jobs: deadline in the past",
    "submit: Jobs: deadline too far",
    "submit: Jobs: duplicate capsule",
    "submit: ok",
    "submit: Capsules: capsule used up",
    "add bond: ok",
    "submit: Models: model not verified",
    "submit: Workers: worker not active",
    "submit: Workers: worker does not serve model",
    "submit: Capsules: unknown capsule",
    "submit: Capsules: model not allowed",
    "settle: Jobs: job past deadline",
    "forged settle: Workers: certificate expired",
    "submit: Capsules: capsule expired",
    "renew certificate: ok",
    "submit: ok",
    "begin unbonding: ok",
    "withdraw bond: Workers: unbonding delay not over",
    "withdraw bond: ok",
    "forged settle: Workers: worker not registered",
    "settle: Workers: certificate expired",
    *["expire: ok"] * 2,
    "update capsule policy: ok",
    *["claim: ok"] * 8,
    "claim: Jobs: nothing to claim",
]


def test_jobs_economy_regression(system: System) -> None:
    """The fixed run above, with the invariants checked after each step."""
    machine = JobsMachine(system)
    try:
        machine.setup(**REGRESSION_SETUP)
        for name, arguments in REGRESSION_STEPS:
            getattr(machine, name)(**arguments)
            machine.tokens_are_conserved()
            if machine.audit_due:
                machine.state_matches_the_model()
        assert machine.outcomes == REGRESSION_OUTCOMES
        # By hand: job 1 paid a 5% protocol fee on 20 + 5 + 1 + 10 tokens; two expiries
        # slashed 50 tokens each, 10% to the caller and the rest to the treasury.
        treasury, jobs, token = system.treasury, system.jobs, system.token
        assert jobs.claimable(treasury) + token.balanceOf(treasury) == 918 * TOKEN // 10
        capsule_owner = system.actor("capsule-owner:1")
        assert jobs.claimable(capsule_owner) + token.balanceOf(capsule_owner) == TOKEN
        # Worker 1 bonded 120, lost 50, added 50 and withdrew the 120 left.
        assert token.balanceOf(system.actor("operator:w1")) == 120 * TOKEN
    finally:
        machine.teardown()
