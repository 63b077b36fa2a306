"""`Jobs.job_status`: 0 unknown, 1 pending, 2 settled, 3 failed, 4 expired."""

import boa

from tests.contracts.jobs.conftest import (
    STATUS_EXPIRED,
    STATUS_FAILED,
    STATUS_PENDING,
    STATUS_SETTLED,
    STATUS_UNKNOWN,
    Market,
)


def test_default_behavior(market: Market, requester: str) -> None:
    jobs = market.jobs
    assert jobs.job_status(1) == STATUS_UNKNOWN
    settled, failed, expired = market.submit(), market.submit(), market.submit()
    assert [jobs.job_status(j) for j in (settled, failed, expired)] == [STATUS_PENDING] * 3
    market.settle([market.result(settled), market.result(failed, status=4)])
    boa.env.time_travel(seconds=3_601)
    jobs.expire(expired)
    assert jobs.job_status(settled) == STATUS_SETTLED
    assert jobs.job_status(failed) == STATUS_FAILED
    assert jobs.job_status(expired) == STATUS_EXPIRED
    assert jobs.job_status(expired + 1) == STATUS_UNKNOWN


def test_failure_code_is_not_the_status(market: Market, requester: str) -> None:
    # A worker reporting failure code 2 must not make the job look settled.
    job_id = market.submit()
    market.settle([market.result(job_id, status=STATUS_SETTLED)])
    assert market.jobs.job_status(job_id) == STATUS_FAILED


def test_many_statuses_in_one_call_follow_the_order_asked(market: Market, requester: str) -> None:
    jobs = market.jobs
    settled, failed, pending = market.submit(), market.submit(), market.submit()
    market.settle([market.result(settled), market.result(failed, status=4)])
    asked = [pending, 99, settled, failed, settled]
    expected = [STATUS_PENDING, STATUS_UNKNOWN, STATUS_SETTLED, STATUS_FAILED, STATUS_SETTLED]
    assert list(jobs.job_statuses(asked)) == expected
    assert list(jobs.job_statuses([])) == []
    assert list(jobs.job_statuses([pending] * 100)) == [STATUS_PENDING] * 100
