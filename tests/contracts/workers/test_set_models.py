"""Workers.set_models (and the models/serves views): the operator replaces the models served."""

import boa

from tests.contracts.conftest import System
from tests.contracts.workers.conftest import events


def test_default_behavior(system: System, worker: str, operator: str) -> None:
    assert system.workers.models(worker) == [1, 2]
    with boa.env.prank(operator):
        system.workers.set_models(worker, [2, 5, 7])
    (updated,) = events(system.workers, "ModelsUpdated")
    assert updated.worker == worker
    assert list(updated.models) == [2, 5, 7]
    assert system.workers.models(worker) == [2, 5, 7]
    # The old list is forgotten, not merged.
    assert not system.workers.serves(worker, 1)
    for model_id in (2, 5, 7):
        assert system.workers.serves(worker, model_id)


def test_clear(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.set_models(worker, [])
    assert system.workers.models(worker) == []
    assert not system.workers.serves(worker, 1)
    assert not system.workers.serves(worker, 2)
    with boa.reverts("Workers: worker does not serve model"):
        system.workers.check_eligible(worker, 1)


def test_most_models(system: System, worker: str, operator: str) -> None:
    models = list(range(100, 132))
    with boa.env.prank(operator):
        system.workers.set_models(worker, models)
    assert system.workers.models(worker) == models
    assert all(system.workers.serves(worker, model_id) for model_id in models)


def test_role_access(system: System, worker: str) -> None:
    for stranger in (system.owner, system.actor("stranger"), worker):
        with boa.env.prank(stranger), boa.reverts("Workers: caller is not the operator"):
            system.workers.set_models(worker, [9])
    assert system.workers.models(worker) == [1, 2]


def test_unknown_worker(system: System, operator: str) -> None:
    with boa.env.prank(operator), boa.reverts("Workers: unknown worker"):
        system.workers.set_models(system.actor("unregistered-enclave"), [9])


def test_unknown_worker_serves_nothing(system: System) -> None:
    stray = system.actor("unregistered-enclave")
    assert system.workers.models(stray) == []
    assert not system.workers.serves(stray, 1)
