"""Token.checkpoints and numCheckpoints: one checkpoint per delegate per timestamp."""

import boa

from tests.contracts.token.conftest import delegate, give, now


def test_default_behavior(token, owner, alice):
    give(token, owner, alice, 100)
    first = now()
    delegate(token, alice, alice)
    boa.env.time_travel(seconds=30)
    second = now()
    with boa.env.prank(alice):
        token.burn(40)
    assert token.numCheckpoints(alice) == 2
    checkpoint = token.checkpoints(alice, 0)
    assert (checkpoint.timepoint, checkpoint.votes) == (first, 100)
    checkpoint = token.checkpoints(alice, 1)
    assert (checkpoint.timepoint, checkpoint.votes) == (second, 60)


def test_same_timestamp_overwrites(token, owner, alice, bob):
    give(token, owner, alice, 100)
    delegate(token, alice, alice)
    with boa.env.prank(alice):
        token.transfer(bob, 10)
        token.transfer(bob, 15)
    assert token.numCheckpoints(alice) == 1
    checkpoint = token.checkpoints(alice, 0)
    assert (checkpoint.timepoint, checkpoint.votes) == (now(), 75)


def test_revert_index_out_of_range(token, owner, alice):
    give(token, owner, alice, 100)
    delegate(token, alice, alice)
    with boa.reverts("Token: checkpoint out of range"):
        token.checkpoints(alice, 1)


def test_revert_no_checkpoints(token, bob):
    assert token.numCheckpoints(bob) == 0
    with boa.reverts("Token: checkpoint out of range"):
        token.checkpoints(bob, 0)
