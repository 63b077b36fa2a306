"""Models.verify: a verifier vouches for a registered model version."""

import boa

from tests.contracts.conftest import System
from tests.contracts.models.conftest import events


def test_default_behavior(system: System, model_id: int) -> None:
    with boa.env.prank(system.verifier):
        system.models.verify(model_id)
    (verified,) = events(system.models, "ModelVerified")
    assert verified.model_id == model_id
    assert verified.verifier == system.verifier
    assert system.models.models(model_id).status == 2
    assert system.models.is_usable(model_id) is True


def test_role_access(system: System, owner: str, model_id: int) -> None:
    for caller in (owner, system.owner, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("Models: caller is not a verifier"):
            system.models.verify(model_id)
    assert system.models.models(model_id).status == 1


def test_new_verifier(system: System, model_id: int) -> None:
    auditor = system.actor("auditor")
    with boa.env.prank(system.owner):
        system.models.set_verifier(auditor, True)
    with boa.env.prank(auditor):
        system.models.verify(model_id)
    assert events(system.models, "ModelVerified")[0].verifier == auditor


def test_revoked_verifier(system: System, model_id: int) -> None:
    with boa.env.prank(system.owner):
        system.models.set_verifier(system.verifier, False)
    with boa.env.prank(system.verifier), boa.reverts("Models: caller is not a verifier"):
        system.models.verify(model_id)


def test_unknown_model(system: System, model_id: int) -> None:
    with boa.env.prank(system.verifier), boa.reverts("Models: unknown model"):
        system.models.verify(model_id + 1)


def test_already_verified(system: System, verified: int) -> None:
    with boa.env.prank(system.verifier), boa.reverts("Models: model not in registered state"):
        system.models.verify(verified)


def test_deprecated(system: System, owner: str, model_id: int) -> None:
    with boa.env.prank(owner):
        system.models.deprecate(model_id)
    with boa.env.prank(system.verifier), boa.reverts("Models: model not in registered state"):
        system.models.verify(model_id)
    assert system.models.models(model_id).status == 3
