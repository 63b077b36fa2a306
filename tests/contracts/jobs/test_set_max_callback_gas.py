"""`Jobs.set_max_callback_gas`: the largest gas cap a job's callback may ask for."""

import boa

from tests.contracts.conftest import MAX_CALLBACK_GAS, System
from tests.contracts.jobs.conftest import STATUS_PENDING, Market, single_event


def test_default_behavior(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_max_callback_gas(100_000)
    assert single_event(system.jobs, "MaxCallbackGasSet").gas_limit == 100_000
    assert system.jobs.max_callback_gas() == 100_000


def test_role_access(system: System) -> None:
    with boa.env.prank(system.actor("mallory")), boa.reverts("ownable: caller is not the owner"):
        system.jobs.set_max_callback_gas(10**7)
    assert system.jobs.max_callback_gas() == MAX_CALLBACK_GAS


def test_bounds_new_jobs_only(market: Market, requester: str) -> None:
    callback = market.system.actor("callback")
    old = market.submit(callback=callback, callback_gas_limit=MAX_CALLBACK_GAS)
    with boa.env.prank(market.system.owner):
        market.jobs.set_max_callback_gas(100_000)
    with boa.env.prank(requester), boa.reverts("Jobs: callback gas limit too high"):
        market.jobs.submit(market.request(callback=callback, callback_gas_limit=100_001))
    new = market.submit(callback=callback, callback_gas_limit=100_000)
    assert market.jobs.job_status(new) == STATUS_PENDING
    # A job already submitted keeps its cap and still settles.
    market.settle([market.result(old)])
    assert market.jobs.job(old).callback_gas_limit == MAX_CALLBACK_GAS


def test_zero_forbids_callbacks(market: Market, requester: str) -> None:
    with boa.env.prank(market.system.owner):
        market.jobs.set_max_callback_gas(0)
    with boa.env.prank(requester), boa.reverts("Jobs: callback gas limit too high"):
        market.jobs.submit(
            market.request(callback=market.system.actor("callback"), callback_gas_limit=1)
        )
    assert market.jobs.job_status(market.submit()) == STATUS_PENDING


def test_ceiling(system: System) -> None:
    with boa.env.prank(system.owner):
        system.jobs.set_max_callback_gas(5_000_000)
        with boa.reverts("Jobs: callback gas cap too high"):
            system.jobs.set_max_callback_gas(5_000_001)
    assert system.jobs.max_callback_gas() == 5_000_000
