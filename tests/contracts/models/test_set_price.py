"""Models.set_price: the model's owner changes its price per use."""

import boa

from tests.contracts.conftest import TOKEN, System
from tests.contracts.models.conftest import events


def test_default_behavior(system: System, owner: str, verified: int) -> None:
    with boa.env.prank(owner):
        system.models.set_price(verified, 3 * TOKEN)
    (updated,) = events(system.models, "ModelPriceSet")
    assert updated.model_id == verified
    assert updated.price == 3 * TOKEN
    assert system.models.models(verified).price == 3 * TOKEN
    assert system.models.terms(verified) == (owner, 3 * TOKEN)


def test_free(system: System, owner: str, model_id: int) -> None:
    with boa.env.prank(owner):
        system.models.set_price(model_id, 0)
    assert system.models.models(model_id).price == 0


def test_role_access(system: System, verified: int) -> None:
    for caller in (system.owner, system.verifier, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("Models: caller is not the model owner"):
            system.models.set_price(verified, 0)
    assert system.models.models(verified).price == 20 * TOKEN


def test_unknown_model(system: System, owner: str) -> None:
    with boa.env.prank(owner), boa.reverts("Models: unknown model"):
        system.models.set_price(1, 0)
