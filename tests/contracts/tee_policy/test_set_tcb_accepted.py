"""TeePolicy.set_tcb_accepted (and `tcb_accepted`): which Intel TCB statuses pass."""

import boa
import pytest

from tests.contracts.event_assertions import events
from tests.contracts.tee_policy.conftest import REVOKED, SW_HARDENING_NEEDED, UP_TO_DATE


def test_default_behavior(policy, owner):
    with boa.env.prank(owner):
        policy.set_tcb_accepted(SW_HARDENING_NEEDED, True)
    assert events(policy) == [
        ("TcbStatusSet", {"tcb_status": SW_HARDENING_NEEDED, "accepted": True}),
    ]
    assert policy.tcb_accepted(SW_HARDENING_NEEDED)


def test_reject_up_to_date(policy, owner):
    with boa.env.prank(owner):
        policy.set_tcb_accepted(UP_TO_DATE, False)
    assert events(policy) == [("TcbStatusSet", {"tcb_status": UP_TO_DATE, "accepted": False})]
    assert not policy.tcb_accepted(UP_TO_DATE)


def test_highest_known_status(policy, owner):
    with boa.env.prank(owner):
        policy.set_tcb_accepted(REVOKED, True)
    assert policy.tcb_accepted(REVOKED)


def test_role_access(policy, stranger):
    with boa.env.prank(stranger), boa.reverts("ownable: caller is not the owner"):
        policy.set_tcb_accepted(SW_HARDENING_NEEDED, True)


@pytest.mark.parametrize("status", [7, 255])
def test_revert_unknown_status(policy, owner, status):
    with boa.env.prank(owner), boa.reverts("TeePolicy: unknown TCB status"):
        policy.set_tcb_accepted(status, True)
