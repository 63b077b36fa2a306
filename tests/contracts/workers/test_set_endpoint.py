"""Workers.set_endpoint: the operator moves its worker's HTTP endpoint."""

import boa

from tests.contracts.conftest import System
from tests.contracts.workers.conftest import events

ENDPOINT = "https://worker-2.example:8443/v1"


def test_default_behavior(system: System, worker: str, operator: str) -> None:
    with boa.env.prank(operator):
        system.workers.set_endpoint(worker, ENDPOINT)
    (updated,) = events(system.workers, "EndpointUpdated")
    assert updated.worker == worker
    assert updated.endpoint == ENDPOINT


def test_longest_endpoint(system: System, worker: str, operator: str) -> None:
    endpoint = "https://" + "a" * 248
    with boa.env.prank(operator):
        system.workers.set_endpoint(worker, endpoint)
    (updated,) = events(system.workers, "EndpointUpdated")
    assert updated.endpoint == endpoint


def test_role_access(system: System, worker: str) -> None:
    for stranger in (system.owner, system.actor("stranger"), worker):
        with boa.env.prank(stranger), boa.reverts("Workers: caller is not the operator"):
            system.workers.set_endpoint(worker, ENDPOINT)


def test_unknown_worker(system: System, operator: str) -> None:
    with boa.env.prank(operator), boa.reverts("Workers: unknown worker"):
        system.workers.set_endpoint(system.actor("unregistered-enclave"), ENDPOINT)
