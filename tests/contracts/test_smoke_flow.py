"""The whole job flow on titanoboa: register, submit, settle, claim; expire and slash."""

import boa

from tests.contracts.conftest import TOKEN, System
from veritee.crypto.typed_data import JobResult


def test_submit_settle_claim(system: System) -> None:
    model_id = system.register_model()
    capsule_id = system.register_capsule()
    worker, key = system.register_worker(models=[model_id])
    requester = system.actor("requester")
    job_id = system.submit(requester, worker, model_id, capsule_ids=[capsule_id])
    assert system.jobs.job_status(job_id) == 1
    system.settle(key, [JobResult(job_id, b"\x11" * 32, "blob://result")])
    assert system.jobs.job_status(job_id) == 2
    # price = 20 model + 5 capsule + 10 worker = 35; protocol 5% = 1.75
    assert system.jobs.claimable(system.actor("model-owner")) == 20 * TOKEN
    assert system.jobs.claimable(system.actor("capsule-owner")) == 5 * TOKEN
    assert system.jobs.claimable(system.actor("operator:worker")) == 10 * TOKEN
    assert system.jobs.claimable(system.treasury) == 175 * TOKEN // 100
    assert system.jobs.claimable(requester) == 100 * TOKEN - 3675 * TOKEN // 100
    assert system.capsules.capsules(capsule_id).uses == 1
    with boa.env.prank(requester):
        system.jobs.claim()
    assert system.token.balanceOf(requester) == 100 * TOKEN - 3675 * TOKEN // 100


def test_expire_refunds_and_slashes(system: System) -> None:
    model_id = system.register_model()
    worker, _ = system.register_worker(models=[model_id])
    requester = system.actor("requester")
    job_id = system.submit(requester, worker, model_id)
    boa.env.time_travel(seconds=3_601)
    caller = system.actor("keeper")
    with boa.env.prank(caller):
        system.jobs.expire(job_id)
    assert system.jobs.job_status(job_id) == 4
    assert system.jobs.claimable(requester) == 100 * TOKEN
    assert system.jobs.claimable(caller) == 5 * TOKEN
    assert system.jobs.claimable(system.treasury) == 45 * TOKEN
    assert system.workers.workers(worker).bond == 50 * TOKEN
