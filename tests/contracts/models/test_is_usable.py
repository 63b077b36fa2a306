"""Models.is_usable: whether a model version can be used in new jobs."""

import boa

from tests.contracts.conftest import System


def test_default_behavior(system: System, verified: int) -> None:
    assert system.models.is_usable(verified) is True


def test_unknown_model(system: System) -> None:
    assert system.models.is_usable(1) is False


def test_lifecycle(system: System, owner: str, model_id: int) -> None:
    assert system.models.is_usable(model_id) is False
    with boa.env.prank(system.verifier):
        system.models.verify(model_id)
    assert system.models.is_usable(model_id) is True
    with boa.env.prank(owner):
        system.models.deprecate(model_id)
    assert system.models.is_usable(model_id) is False
