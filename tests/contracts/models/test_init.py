"""Models.__init__: an empty registry owned by its deployer."""

from tests.contracts.conftest import System


def test_default_behavior(system: System) -> None:
    assert system.models.owner() == system.owner
    assert system.models.model_count() == 0
    assert system.models.models(1).status == 0
    assert system.models.is_verifier(system.owner) is False
    assert system.models.is_verifier(system.verifier) is True
