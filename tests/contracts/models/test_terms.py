"""Models.terms: owner and price of a model a job may use; reverts naming why not."""

import boa

from tests.contracts.conftest import TOKEN, System


def test_default_behavior(system: System, owner: str, verified: int) -> None:
    assert system.models.terms(verified) == (owner, 20 * TOKEN)


def test_unknown_model(system: System) -> None:
    with boa.reverts("Models: unknown model"):
        system.models.terms(1)


def test_registered_model(system: System, model_id: int) -> None:
    with boa.reverts("Models: model not verified"):
        system.models.terms(model_id)


def test_deprecated_model(system: System, owner: str, verified: int) -> None:
    with boa.env.prank(owner):
        system.models.deprecate(verified)
    with boa.reverts("Models: model not verified"):
        system.models.terms(verified)
