"""Workers.set_price: the operator changes its worker's price per job."""

import boa

from tests.contracts.conftest import TOKEN, System
from tests.contracts.workers.conftest import events


def test_default_behavior(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.set_price(worker, 3 * TOKEN)
    (updated,) = events(system.workers, "PriceUpdated")
    assert updated.worker == worker
    assert updated.price == 3 * TOKEN
    assert system.workers.workers(worker).price == 3 * TOKEN
    assert system.workers.terms(worker) == (operator, 3 * TOKEN)


def test_free_worker(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.set_price(worker, 0)
    assert system.workers.terms(worker) == (operator, 0)


def test_role_access(system: System, worker: str) -> None:
    for stranger in (system.owner, system.actor("stranger"), worker):
        with boa.env.prank(stranger), boa.reverts("Workers: caller is not the operator"):
            system.workers.set_price(worker, 0)
    assert system.workers.workers(worker).price == 10 * TOKEN


def test_unknown_worker(system: System, operator: str) -> None:
    with boa.env.prank(operator), boa.reverts("Workers: unknown worker"):
        system.workers.set_price(system.actor("unregistered-enclave"), 0)
