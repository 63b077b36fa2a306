"""Models.set_verifier: governance grants and revokes the verifier role."""

import boa

from tests.contracts.conftest import System
from tests.contracts.models.conftest import events

ZERO_ADDRESS = "0x" + "00" * 20


def test_default_behavior(system: System) -> None:
    auditor = system.actor("auditor")
    assert system.models.is_verifier(auditor) is False
    with boa.env.prank(system.owner):
        system.models.set_verifier(auditor, True)
    (granted,) = events(system.models, "VerifierSet")
    assert granted.verifier == auditor
    assert granted.allowed is True
    assert system.models.is_verifier(auditor) is True

    with boa.env.prank(system.owner):
        system.models.set_verifier(auditor, False)
    (revoked,) = events(system.models, "VerifierSet")
    assert revoked.verifier == auditor
    assert revoked.allowed is False
    assert system.models.is_verifier(auditor) is False


def test_role_access(system: System, owner: str) -> None:
    for caller in (owner, system.verifier, system.actor("stranger")):
        with boa.env.prank(caller), boa.reverts("ownable: caller is not the owner"):
            system.models.set_verifier(caller, True)
    assert system.models.is_verifier(owner) is False


def test_zero_address(system: System) -> None:
    with boa.env.prank(system.owner), boa.reverts("Models: zero address"):
        system.models.set_verifier(ZERO_ADDRESS, True)
