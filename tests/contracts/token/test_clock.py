"""Token.clock and CLOCK_MODE (ERC-6372): votes are measured in block timestamps."""

import boa

from tests.contracts.token.conftest import now


def test_default_behavior(token):
    assert token.clock() == now()
    boa.env.time_travel(seconds=1_234)
    assert token.clock() == now()


def test_clock_mode(token):
    assert token.CLOCK_MODE() == "mode=timestamp"
