"""Models.register: a builder registers the first version of a model."""

import boa
import pytest

from tests.contracts.conftest import TOKEN, System
from tests.contracts.models.conftest import ARTIFACT, events, model_fields, register


def test_default_behavior(system: System, owner: str) -> None:
    assert system.models.model_count() == 0
    model_id = register(system, owner)
    (registered,) = events(system.models, "ModelRegistered")
    assert model_id == 1
    assert system.models.model_count() == 1
    assert registered.model_id == 1
    assert registered.owner == owner
    assert registered.previous == 0
    assert registered.name == "risk"
    assert registered.version == "1.0"
    assert registered.artifact_sha256 == ARTIFACT
    assert registered.format == "onnx"
    assert registered.uri == "blob://risk-1.0"
    assert registered.price == 20 * TOKEN

    model = system.models.models(model_id)
    assert model.owner == owner
    assert model.name == "risk"
    assert model.version == "1.0"
    assert model.artifact_sha256 == ARTIFACT
    assert model.format == "onnx"
    assert model.uri == "blob://risk-1.0"
    assert model.price == 20 * TOKEN
    assert model.status == 1
    assert model.previous == 0
    assert system.models.next_version(model_id) == 0
    assert system.models.is_usable(model_id) is False


def test_ids_are_sequential(system: System, owner: str) -> None:
    first = register(system, owner)
    second = register(system, system.actor("other-builder"), name="summarizer", format="gguf")
    assert (first, second) == (1, 2)
    assert system.models.models(second).owner == system.actor("other-builder")
    assert system.models.models(second).name == "summarizer"
    # Registering a second first version does not link the two.
    assert system.models.next_version(first) == 0
    assert system.models.models(second).previous == 0


def test_role_access(system: System) -> None:
    # Anyone may register a model; the caller owns it.
    for caller in (system.owner, system.verifier, system.actor("anyone")):
        model_id = register(system, caller)
        assert system.models.models(model_id).owner == caller


def test_free_model_without_uri(system: System, owner: str) -> None:
    model_id = register(system, owner, uri="", price=0)
    assert system.models.models(model_id).uri == ""
    assert system.models.models(model_id).price == 0


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("name", "", "Models: empty name"),
        ("version", "", "Models: empty version"),
        ("format", "", "Models: empty format"),
        ("artifact_sha256", b"\x00" * 32, "Models: empty artifact hash"),
    ],
)
def test_empty_field(system: System, owner: str, field: str, value: object, reason: str) -> None:
    fields = model_fields(**{field: value})
    with boa.env.prank(owner), boa.reverts(reason):
        system.models.register(*fields.values())
    assert system.models.model_count() == 0
