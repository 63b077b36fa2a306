"""Vote checkpoints against a pure-Python model under random transfers, delegations, mints and
burns across time: current votes, past votes and past supply must always match the model."""

from __future__ import annotations

import boa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.contracts.token.conftest import ZERO, now

FRACTIONS = st.integers(min_value=0, max_value=100)


class VotesMachine(RuleBasedStateMachine):
    token = None
    accounts: list[str] = []

    def __init__(self) -> None:
        super().__init__()
        self.balances = {a: self.token.balanceOf(a) for a in self.accounts}
        self.delegates = {a: ZERO for a in self.accounts}
        self.supply = self.token.totalSupply()
        # timestamp -> (votes per account, supply) at the end of that timestamp
        self.history: dict[int, tuple[dict[str, int], int]] = {}

    def votes(self) -> dict[str, int]:
        votes = dict.fromkeys(self.accounts, 0)
        for account, delegatee in self.delegates.items():
            if delegatee != ZERO:
                votes[delegatee] += self.balances[account]
        return votes

    @rule(src=st.integers(0, 3), dst=st.integers(0, 3), fraction=FRACTIONS)
    def transfer(self, src: int, dst: int, fraction: int) -> None:
        sender, receiver = self.accounts[src], self.accounts[dst]
        amount = self.balances[sender] * fraction // 100
        with boa.env.prank(sender):
            self.token.transfer(receiver, amount)
        self.balances[sender] -= amount
        self.balances[receiver] += amount

    @rule(src=st.integers(0, 3), dst=st.integers(0, 4))
    def delegate(self, src: int, dst: int) -> None:
        delegatee = ZERO if dst == 4 else self.accounts[dst]
        with boa.env.prank(self.accounts[src]):
            self.token.delegate(delegatee)
        self.delegates[self.accounts[src]] = delegatee

    @rule(dst=st.integers(0, 3), amount=st.integers(0, 10**24))
    def mint(self, dst: int, amount: int) -> None:
        with boa.env.prank(self.accounts[0]):
            self.token.mint(self.accounts[dst], amount)
        self.balances[self.accounts[dst]] += amount
        self.supply += amount

    @rule(src=st.integers(0, 3), fraction=FRACTIONS)
    def burn(self, src: int, fraction: int) -> None:
        holder = self.accounts[src]
        amount = self.balances[holder] * fraction // 100
        with boa.env.prank(holder):
            self.token.burn(amount)
        self.balances[holder] -= amount
        self.supply -= amount

    @rule(seconds=st.integers(1, 1_000))
    def advance(self, seconds: int) -> None:
        self.history[now()] = (self.votes(), self.supply)
        boa.env.time_travel(seconds=seconds)

    @invariant()
    def current_state_matches(self) -> None:
        assert self.token.totalSupply() == self.supply
        for account, votes in self.votes().items():
            assert self.token.balanceOf(account) == self.balances[account]
            assert self.token.getVotes(account) == votes

    @invariant()
    def latest_past_state_matches(self) -> None:
        if self.history:
            self.check_past(max(self.history))

    def teardown(self) -> None:
        # Checkpoints are append-only: every earlier timepoint must still read the same.
        for timepoint in self.history:
            self.check_past(timepoint)

    def check_past(self, timepoint: int) -> None:
        votes, supply = self.history[timepoint]
        assert self.token.getPastTotalSupply(timepoint) == supply
        for account, past_votes in votes.items():
            assert self.token.getPastVotes(account, timepoint) == past_votes


def test_votes_match_model(token, owner, alice, bob, carol):
    VotesMachine.token = token
    VotesMachine.accounts = [owner, alice, bob, carol]
    run_state_machine_as_test(
        VotesMachine,
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None),
    )
