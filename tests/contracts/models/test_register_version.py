"""Models.register_version: a model's owner publishes the version that replaces another."""

import boa
import pytest
from eth_utils import keccak

from tests.contracts.conftest import TOKEN, System
from tests.contracts.models.conftest import events, register, register_version


def test_default_behavior(system: System, owner: str, verified: int) -> None:
    successor = register_version(system, owner, verified, price=25 * TOKEN)
    (registered,) = events(system.models, "ModelRegistered")
    assert successor == verified + 1
    assert registered.model_id == successor
    assert registered.owner == owner
    assert registered.previous == verified
    assert registered.name == "risk"
    assert registered.version == "2.0"
    assert registered.artifact_sha256 == keccak(b"artifact:risk-2.0")
    assert registered.price == 25 * TOKEN

    model = system.models.models(successor)
    assert model.owner == owner
    assert model.name == "risk"  # inherited from the version it replaces
    assert model.version == "2.0"
    assert model.uri == "blob://risk-2.0"
    assert model.status == 1  # a new version must be verified again
    assert model.previous == verified
    assert system.models.next_version(verified) == successor
    assert system.models.next_version(successor) == 0
    # The old version stays usable until it is deprecated.
    assert system.models.is_usable(verified) is True
    assert system.models.is_usable(successor) is False


def test_chain_of_versions(system: System, owner: str, model_id: int) -> None:
    second = register_version(system, owner, model_id)
    third = register_version(system, owner, second, version="3.0")
    assert system.models.next_version(model_id) == second
    assert system.models.next_version(second) == third
    assert system.models.models(third).previous == second
    assert system.models.models(third).name == "risk"


def test_role_access(system: System, model_id: int) -> None:
    for caller in (system.owner, system.verifier, system.actor("stranger")):
        with boa.reverts("Models: caller is not the model owner"):
            register_version(system, caller, model_id)
    assert system.models.next_version(model_id) == 0


def test_unknown_model(system: System, owner: str, model_id: int) -> None:
    for missing in (0, model_id + 1):
        with boa.reverts("Models: unknown model"):
            register_version(system, owner, missing)


def test_version_already_superseded(system: System, owner: str, model_id: int) -> None:
    successor = register_version(system, owner, model_id)
    with boa.reverts("Models: version already superseded"):
        register_version(system, owner, model_id, version="2.1")
    assert system.models.next_version(model_id) == successor


def test_successor_of_deprecated_version(system: System, owner: str, verified: int) -> None:
    with boa.env.prank(owner):
        system.models.deprecate(verified)
    successor = register_version(system, owner, verified)
    assert system.models.models(successor).previous == verified


def test_other_owners_model_is_not_linked(system: System, owner: str, model_id: int) -> None:
    # A second builder may register the same name, but only as an unlinked first version.
    other = register(system, system.actor("other-builder"))
    assert system.models.models(other).previous == 0
    assert system.models.next_version(model_id) == 0


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("version", "", "Models: empty version"),
        ("format", "", "Models: empty format"),
        ("artifact_sha256", b"\x00" * 32, "Models: empty artifact hash"),
    ],
)
def test_empty_field(
    system: System, owner: str, model_id: int, field: str, value: object, reason: str
) -> None:
    with boa.reverts(reason):
        register_version(system, owner, model_id, **{field: value})
    assert system.models.next_version(model_id) == 0
