"""Workers.terms: who is paid for a worker's jobs, and how much."""

from tests.contracts.conftest import TOKEN, System

ZERO_ADDRESS = "0x" + "00" * 20


def test_default_behavior(system: System, worker: str, operator: str) -> None:
    assert system.workers.terms(worker) == (operator, 10 * TOKEN)


def test_unknown_worker(system: System) -> None:
    assert system.workers.terms(system.actor("unregistered-enclave")) == (ZERO_ADDRESS, 0)
