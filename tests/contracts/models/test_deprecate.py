"""Models.deprecate: the owner or a verifier retires a model version for good."""

import boa

from tests.contracts.conftest import System
from tests.contracts.models.conftest import events


def test_default_behavior(system: System, owner: str, verified: int) -> None:
    with boa.env.prank(owner):
        system.models.deprecate(verified)
    (deprecated,) = events(system.models, "ModelDeprecated")
    assert deprecated.model_id == verified
    assert deprecated.by == owner
    assert system.models.models(verified).status == 3
    assert system.models.is_usable(verified) is False


def test_by_verifier(system: System, verified: int) -> None:
    with boa.env.prank(system.verifier):
        system.models.deprecate(verified)
    assert events(system.models, "ModelDeprecated")[0].by == system.verifier
    assert system.models.models(verified).status == 3


def test_registered_model(system: System, owner: str, model_id: int) -> None:
    with boa.env.prank(owner):
        system.models.deprecate(model_id)
    assert system.models.models(model_id).status == 3


def test_role_access(system: System, verified: int) -> None:
    for caller in (system.owner, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("Models: caller may not deprecate"):
            system.models.deprecate(verified)
    assert system.models.models(verified).status == 2


def test_unknown_model(system: System, owner: str) -> None:
    with boa.env.prank(owner), boa.reverts("Models: unknown model"):
        system.models.deprecate(1)


def test_already_deprecated(system: System, owner: str, verified: int) -> None:
    with boa.env.prank(owner):
        system.models.deprecate(verified)
    with boa.env.prank(system.verifier), boa.reverts("Models: model already deprecated"):
        system.models.deprecate(verified)
