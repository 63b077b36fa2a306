"""Token.__init__: metadata, initial supply, ownership and the first supply checkpoint."""

import boa

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import INITIAL_SUPPLY, ZERO, now


def test_default_behavior(token, owner):
    assert token.name() == "veritee"
    assert token.symbol() == "VRT"
    assert token.decimals() == 18
    assert token.totalSupply() == INITIAL_SUPPLY
    assert token.balanceOf(owner) == INITIAL_SUPPLY
    assert token.owner() == owner
    assert token.pending_owner() == ZERO
    assert token.is_minter(owner)
    # The holder has not delegated, so its balance counts for nobody yet.
    assert token.delegates(owner) == ZERO
    assert token.getVotes(owner) == 0
    assert token.numCheckpoints(owner) == 0


def test_events(token_deployer, owner):
    with boa.env.prank(owner):
        token = token_deployer.deploy("veritee", "VRT", INITIAL_SUPPLY, owner)
    assert events(token) == [
        ("OwnershipTransferred", {"previous_owner": ZERO, "new_owner": owner}),
        ("RoleMinterChanged", {"minter": owner, "status": True}),
        ("Transfer", {"sender": ZERO, "receiver": owner, "value": INITIAL_SUPPLY}),
    ]


def test_initial_supply_checkpointed(token):
    deployed_at = now()
    boa.env.time_travel(seconds=1)
    assert token.getPastTotalSupply(deployed_at) == INITIAL_SUPPLY
    assert token.getPastTotalSupply(deployed_at - 1) == 0


def test_holder_other_than_deployer(token_deployer, owner, alice):
    with boa.env.prank(owner):
        token = token_deployer.deploy("veritee", "VRT", 5, alice)
    assert token.balanceOf(alice) == 5
    assert token.balanceOf(owner) == 0
    assert token.owner() == owner


def test_zero_initial_supply(token_deployer, owner):
    with boa.env.prank(owner):
        token = token_deployer.deploy("veritee", "VRT", 0, ZERO)
    assert [name for name, _ in events(token)] == ["OwnershipTransferred", "RoleMinterChanged"]
    assert token.totalSupply() == 0
    boa.env.time_travel(seconds=1)
    assert token.getPastTotalSupply(now() - 1) == 0


def test_revert_mint_to_zero_address(token_deployer, owner):
    with boa.env.prank(owner), boa.reverts("erc20: mint to the zero address"):
        token_deployer.deploy("veritee", "VRT", 1, ZERO)
