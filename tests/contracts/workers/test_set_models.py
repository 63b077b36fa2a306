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


def test_thirty_two_models_round_trip(system: System, worker: str, operator: str) -> None:
    models = [2**28 - 1 - 3 * i for i in range(32)]
    with boa.env.prank(operator):
        system.workers.set_models(worker, models)
    assert system.workers.models(worker) == models
    assert all(system.workers.serves(worker, m) for m in models)
    assert not system.workers.serves(worker, 2**28 - 2)
    # Shrinking forgets the tail even though its storage words are not cleared.
    with boa.env.prank(operator):
        system.workers.set_models(worker, models[:3])
    assert system.workers.models(worker) == models[:3]
    assert not system.workers.serves(worker, models[10])
    assert system.workers.workers(worker).models == models[:3]


def test_changing_models_keeps_price_and_bond(system: System, worker: str, operator: str) -> None:
    before = system.workers.workers(worker)
    with boa.env.prank(operator):
        system.workers.set_models(worker, [9, 10, 11, 12])
    after = system.workers.workers(worker)
    assert (after.price, after.bond) == (before.price, before.bond)


def test_model_id_too_large(system: System, worker: str, operator: str) -> None:
    for models in ([2**28], [1, 2, 2**28]):
        with boa.env.prank(operator), boa.reverts("Workers: model id too large"):
            system.workers.set_models(worker, models)
    assert system.workers.models(worker) == [1, 2]
