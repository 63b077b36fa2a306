"""Capsules.release: Jobs gives back the use a failed or expired job had reserved."""

import boa

from tests.contracts.capsules.conftest import events, register, release, reserve
from tests.contracts.conftest import System


def test_default_behavior(system: System, capsule_id: int) -> None:
    reserve(system, capsule_id)
    reserve(system, capsule_id)
    release(system, capsule_id)
    (released,) = events(system.capsules, "UseReleased")
    assert (released.capsule_id, released.pending) == (capsule_id, 1)
    capsule = system.capsules.capsules(capsule_id)
    assert (capsule.uses, capsule.pending) == (0, 1)


def test_role_access(system: System, owner: str, capsule_id: int) -> None:
    reserve(system, capsule_id)
    for caller in (owner, system.owner, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("Capsules: caller is not Jobs"):
            system.capsules.release(capsule_id)
    assert system.capsules.capsules(capsule_id).pending == 1


def test_nothing_reserved(system: System, capsule_id: int) -> None:
    with boa.reverts("Capsules: no reserved use"):
        release(system, capsule_id)


def test_expired_job_releases_its_use(system: System, owner: str) -> None:
    model_id = system.register_model()
    capsule_id = register(system, owner, max_uses=1)
    worker, _ = system.register_worker(models=[model_id])
    job_id = system.submit(system.actor("requester"), worker, model_id, capsule_ids=[capsule_id])
    assert system.capsules.capsules(capsule_id).pending == 1
    boa.env.time_travel(seconds=3_601)
    with boa.env.prank(system.actor("keeper")):
        system.jobs.expire(job_id)
    capsule = system.capsules.capsules(capsule_id)
    assert (capsule.uses, capsule.pending) == (0, 0)
    assert system.capsules.check_use(capsule_id, model_id)
