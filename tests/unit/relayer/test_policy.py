"""The relayer's pure decisions, on plain data."""

from __future__ import annotations

import random

import pytest

from veritee.exceptions import JobError
from veritee.relayer.policy import (
    BatchPlan,
    DeliveryOutcome,
    RetryPolicy,
    block_ranges,
    check_batch_jobs,
    classify_delivery,
    fork_point,
)

WORKER = "0x" + "aa" * 20
OTHER = "0x" + "bb" * 20


class FixedRandom(random.Random):
    """``random()`` always returns ``value``."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, DeliveryOutcome.DELIVERED),
        (202, DeliveryOutcome.DELIVERED),
        (409, DeliveryOutcome.REFUSED),
        (400, DeliveryOutcome.REFUSED),
        (404, DeliveryOutcome.REFUSED),
        (408, DeliveryOutcome.RETRY),
        (429, DeliveryOutcome.RETRY),
        (500, DeliveryOutcome.RETRY),
        (503, DeliveryOutcome.RETRY),
        (None, DeliveryOutcome.RETRY),
    ],
)
def test_classify_delivery(status: int | None, outcome: DeliveryOutcome) -> None:
    assert classify_delivery(status) is outcome


def test_backoff_doubles_up_to_the_cap_without_jitter() -> None:
    policy = RetryPolicy(max_attempts=10, base_backoff=1.0, max_backoff=10.0, jitter=0.0)
    rng = FixedRandom(0.9)
    assert [policy.delay(n, rng) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_jitter_scales_the_delay_down_by_at_most_its_fraction() -> None:
    policy = RetryPolicy(base_backoff=4.0, max_backoff=100.0, jitter=0.5)
    assert policy.delay(2, FixedRandom(0.0)) == 8.0
    assert policy.delay(2, FixedRandom(0.5)) == 6.0
    assert policy.delay(2, FixedRandom(0.999999)) == pytest.approx(4.0, abs=1e-4)
    rng = random.Random(3)
    assert all(4.0 <= policy.delay(2, rng) <= 8.0 for _ in range(200))


def test_huge_attempt_counts_stay_at_the_cap() -> None:
    policy = RetryPolicy(max_attempts=10_000, base_backoff=1.0, max_backoff=30.0, jitter=0.0)
    assert policy.delay(5_000, FixedRandom(0.0)) == 30.0


def test_next_attempt_gives_up_after_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3, base_backoff=1.0, max_backoff=10.0, jitter=0.0)
    rng = FixedRandom(0.0)
    assert policy.next_attempt_at(1, 100.0, rng) == 101.0
    assert policy.next_attempt_at(2, 100.0, rng) == 102.0
    assert policy.next_attempt_at(3, 100.0, rng) is None


@pytest.mark.parametrize(
    "arguments",
    [
        {"max_attempts": 0},
        {"base_backoff": 0.0},
        {"base_backoff": 5.0, "max_backoff": 1.0},
        {"jitter": 1.5},
    ],
)
def test_retry_policy_refuses_nonsense(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**arguments)  # type: ignore[arg-type]


def test_batch_is_due_when_full_or_when_the_oldest_has_waited() -> None:
    plan = BatchPlan(batch_size=10, batch_wait=30.0)
    assert not plan.due(0, 1_000.0, 50)  # nothing outstanding: never
    assert not plan.due(5, 10.0, None)  # few, young: wait
    assert not plan.due(12, 10.0, 9)  # enough outstanding but not ready yet
    assert plan.due(12, 10.0, 10)  # a full batch is ready
    assert plan.due(1, 30.0, None)  # the oldest waited long enough


def test_status_is_read_only_when_it_could_matter() -> None:
    plan = BatchPlan(batch_size=10, batch_wait=30.0)
    assert not plan.wants_status(9, 0.0)  # cannot fill a batch of ours
    assert plan.wants_status(10, 0.0)
    assert not plan.wants_status(10, 31.0)  # due anyway


def test_ask_again_only_after_a_full_batch_with_more_to_come() -> None:
    plan = BatchPlan(batch_size=2, batch_wait=30.0)
    assert plan.ask_again(2, 2, 0.0)
    assert not plan.ask_again(2, 1, 0.0)  # one left, young: it waits for company
    assert plan.ask_again(2, 1, 31.0)  # one left, old: ask for it now
    assert not plan.ask_again(1, 5, 31.0)  # a short batch: the worker had no more


def test_block_ranges_are_bounded_and_cover_everything() -> None:
    assert block_ranges(5, 4, 10) == []
    assert block_ranges(5, 5, 10) == [(5, 5)]
    assert block_ranges(0, 24, 10) == [(0, 9), (10, 19), (20, 24)]
    with pytest.raises(ValueError):
        block_ranges(0, 1, 0)


def test_fork_point_is_the_newest_checkpoint_still_on_the_chain() -> None:
    chain = {10: "0xa", 11: "0xb", 12: "0xNEW", 13: "0xNEW2"}
    seen = [(12, "0xc"), (10, "0xA"), (11, "0xb"), (14, "0xe")]
    assert fork_point(seen, chain.get) == 11
    assert fork_point([(12, "0xc")], chain.get) is None
    assert fork_point([], chain.get) is None


def test_a_batch_of_assigned_jobs_passes() -> None:
    check_batch_jobs(WORKER.upper().replace("0X", "0x"), [1, 2], {1: WORKER, 2: WORKER}, {3: 9})


def test_a_batch_with_a_job_of_another_worker_is_refused() -> None:
    with pytest.raises(JobError, match=r"job\(s\) \[2\] the chain did not assign to it"):
        check_batch_jobs(WORKER, [1, 2], {1: WORKER, 2: OTHER})


def test_a_batch_with_an_unknown_job_is_refused() -> None:
    with pytest.raises(JobError, match="did not assign"):
        check_batch_jobs(WORKER, [7], {})


def test_a_batch_naming_a_job_twice_is_refused() -> None:
    with pytest.raises(JobError, match=r"names job\(s\) \[1\] twice"):
        check_batch_jobs(WORKER, [1, 1], {1: WORKER})


def test_a_batch_repeating_jobs_in_flight_is_refused() -> None:
    with pytest.raises(JobError, match="job 2 in submission 5"):
        check_batch_jobs(WORKER, [1, 2], {1: WORKER, 2: WORKER}, {2: 5, 8: 6})
