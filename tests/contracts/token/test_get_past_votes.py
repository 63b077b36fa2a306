"""Token.getPastVotes: voting power at the end of a past timestamp."""

import boa

from tests.contracts.token.conftest import delegate, give, now


def test_default_behavior(token, owner, alice, bob):
    give(token, owner, alice, 100)
    t0 = now()
    delegate(token, alice, alice)
    boa.env.time_travel(seconds=100)
    t1 = now()
    with boa.env.prank(alice):
        token.transfer(bob, 30)
    boa.env.time_travel(seconds=100)
    t2 = now()
    give(token, owner, alice, 50)
    boa.env.time_travel(seconds=1)

    assert token.getPastVotes(alice, t0 - 1) == 0
    assert token.getPastVotes(alice, t0) == 100
    assert token.getPastVotes(alice, t1 - 1) == 100
    assert token.getPastVotes(alice, t1) == 70
    assert token.getPastVotes(alice, t2 - 1) == 70
    assert token.getPastVotes(alice, t2) == 120
    assert token.getPastVotes(bob, t2) == 0


def test_end_of_timestamp_counts(token, owner, alice, bob):
    # Two changes at one timestamp: the lookup sees the state at the end of it.
    give(token, owner, alice, 100)
    delegate(token, alice, alice)
    with boa.env.prank(alice):
        token.transfer(bob, 60)
    at = now()
    boa.env.time_travel(seconds=1)
    assert token.getPastVotes(alice, at) == 40


def test_many_checkpoints(token, owner, alice):
    delegate(token, alice, alice)
    history = []
    for step in range(1, 12):
        give(token, owner, alice, step)
        history.append((now(), sum(range(1, step + 1))))
        boa.env.time_travel(seconds=7)
    assert token.numCheckpoints(alice) == len(history)
    for timepoint, votes in history:
        assert token.getPastVotes(alice, timepoint) == votes
        assert token.getPastVotes(alice, timepoint + 6) == votes


def test_revert_future_lookup(token, alice):
    with boa.reverts("Token: future lookup"):
        token.getPastVotes(alice, now())
    with boa.reverts("Token: future lookup"):
        token.getPastVotes(alice, now() + 1)
