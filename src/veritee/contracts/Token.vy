# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title veritee Token
@custom:contract-name Token
@license Apache-2.0
@notice The ERC-20 token that pays for jobs, bonds workers and weighs votes.
        ERC-20 and EIP-2612 `permit` come from snekmate's `erc20` module;
        this contract adds vote checkpoints (delegation, `getVotes`,
        `getPastVotes`, `getPastTotalSupply`) keyed by block timestamp, as
        ERC-6372 `clock()` reports, for the governor that takes over later.
        Admin functions (minter roles) sit behind two-step ownership; the
        owner's own minter role moves with ownership, as in snekmate's
        one-step `erc20.transfer_ownership`.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.tokens import erc20

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: erc20[ownable := ownable]

exports: (
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.approve,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    erc20.eip712Domain,
    erc20.is_minter,
    erc20.set_minter,
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
)


struct Checkpoint:
    timepoint: uint256
    votes: uint256


event DelegateChanged:
    delegator: indexed(address)
    from_delegate: indexed(address)
    to_delegate: indexed(address)


event DelegateVotesChanged:
    delegate: indexed(address)
    previous_votes: uint256
    new_votes: uint256


# @dev Who each account's votes count for (zero until it delegates).
delegates: public(HashMap[address, address])

# @dev Per-delegate checkpoints of voting power, append-only.
_checkpoints: HashMap[address, HashMap[uint256, Checkpoint]]
numCheckpoints: public(HashMap[address, uint256])

# @dev Checkpoints of the total supply.
_supply_checkpoints: HashMap[uint256, Checkpoint]
_num_supply_checkpoints: uint256


@deploy
def __init__(name_: String[25], symbol_: String[5], initial_supply: uint256, holder: address):
    """
    @notice Deploys the token and mints `initial_supply` to `holder`.
    @param name_ Token name, also the EIP-712 domain name for `permit`.
    @param symbol_ Token symbol.
    @param initial_supply Amount minted at deployment (18 decimals).
    @param holder Receiver of the initial supply.
    """
    ownable.__init__()
    ownable_2step.__init__()
    erc20.__init__(name_, symbol_, 18, name_, "1")
    if initial_supply > 0:
        self._mint(holder, initial_supply)


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` tokens from the caller to `to` and moves the
            matching voting power between their delegates.
    @param to The receiver.
    @param amount The amount.
    @return bool Always true; failures revert.
    """
    erc20._transfer(msg.sender, to, amount)
    self._move_votes(self.delegates[msg.sender], self.delegates[to], amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` tokens from `owner` to `to` using the caller's
            allowance, and moves the matching voting power.
    @param owner The account debited.
    @param to The receiver.
    @param amount The amount.
    @return bool Always true; failures revert.
    """
    erc20._spend_allowance(owner, msg.sender, amount)
    erc20._transfer(owner, to, amount)
    self._move_votes(self.delegates[owner], self.delegates[to], amount)
    return True


@external
def mint(owner: address, amount: uint256):
    """
    @notice Creates `amount` tokens for `owner`; minters only.
    @param owner The receiver.
    @param amount The amount.
    """
    assert erc20.is_minter[msg.sender], "Token: caller is not a minter"
    self._mint(owner, amount)


@external
def burn(amount: uint256):
    """
    @notice Destroys `amount` of the caller's tokens.
    @param amount The amount.
    """
    self._burn(msg.sender, amount)


@external
def accept_ownership():
    """
    @notice Completes a two-step ownership transfer (pending owner only).
            The minter role moves with ownership: the previous owner loses
            it and the new owner gains it, so a handed-over deployer key
            cannot keep minting and the new owner, who may not name itself
            with `set_minter`, can mint.
    """
    assert ownable_2step.pending_owner == msg.sender, "Token: caller is not the new owner"
    previous: address = ownable.owner
    ownable_2step._transfer_ownership(msg.sender)
    erc20.is_minter[previous] = False
    log erc20.RoleMinterChanged(minter=previous, status=False)
    erc20.is_minter[msg.sender] = True
    log erc20.RoleMinterChanged(minter=msg.sender, status=True)


@external
def delegate(delegatee: address):
    """
    @notice Makes `delegatee` vote with the caller's balance (the caller
            itself to vote directly; the zero address to stop counting).
    @param delegatee The new delegate.
    """
    previous: address = self.delegates[msg.sender]
    self.delegates[msg.sender] = delegatee
    log DelegateChanged(delegator=msg.sender, from_delegate=previous, to_delegate=delegatee)
    self._move_votes(previous, delegatee, erc20.balanceOf[msg.sender])


@external
@view
def clock() -> uint48:
    """
    @notice ERC-6372: the clock votes are measured in (block timestamp).
    @return uint48 The current timepoint.
    """
    return convert(block.timestamp, uint48)


@external
@view
def CLOCK_MODE() -> String[14]:
    """
    @notice ERC-6372: describes the clock.
    @return String The mode string.
    """
    return "mode=timestamp"


@external
@view
def getVotes(account: address) -> uint256:
    """
    @notice Current voting power of `account`.
    @param account The delegate.
    @return uint256 Its votes.
    """
    n: uint256 = self.numCheckpoints[account]
    if n == 0:
        return 0
    return self._checkpoints[account][n - 1].votes


@external
@view
def checkpoints(account: address, index: uint256) -> Checkpoint:
    """
    @notice The `index`-th voting-power checkpoint of `account`.
    @param account The delegate.
    @param index Position, from 0.
    @return Checkpoint Timepoint and votes.
    """
    assert index < self.numCheckpoints[account], "Token: checkpoint out of range"
    return self._checkpoints[account][index]


@external
@view
def getPastVotes(account: address, timepoint: uint256) -> uint256:
    """
    @notice Voting power of `account` at the end of `timepoint`.
    @param account The delegate.
    @param timepoint A past timestamp.
    @return uint256 Its votes then.
    """
    assert timepoint < block.timestamp, "Token: future lookup"
    return self._lookup_account(account, timepoint)


@external
@view
def getPastTotalSupply(timepoint: uint256) -> uint256:
    """
    @notice Total supply at the end of `timepoint`.
    @param timepoint A past timestamp.
    @return uint256 The supply then.
    """
    assert timepoint < block.timestamp, "Token: future lookup"
    n: uint256 = self._num_supply_checkpoints
    low: uint256 = 0
    high: uint256 = n
    for _: uint256 in range(64):
        if low >= high:
            break
        mid: uint256 = unsafe_div(low + high, 2)
        if self._supply_checkpoints[mid].timepoint > timepoint:
            high = mid
        else:
            low = mid + 1
    if high == 0:
        return 0
    return self._supply_checkpoints[high - 1].votes


@internal
@view
def _lookup_account(account: address, timepoint: uint256) -> uint256:
    # Binary search for the last checkpoint at or before `timepoint`.
    low: uint256 = 0
    high: uint256 = self.numCheckpoints[account]
    for _: uint256 in range(64):
        if low >= high:
            break
        mid: uint256 = unsafe_div(low + high, 2)
        if self._checkpoints[account][mid].timepoint > timepoint:
            high = mid
        else:
            low = mid + 1
    if high == 0:
        return 0
    return self._checkpoints[account][high - 1].votes


@internal
def _mint(owner: address, amount: uint256):
    erc20._mint(owner, amount)
    self._write_supply(erc20.totalSupply)
    self._move_votes(empty(address), self.delegates[owner], amount)


@internal
def _burn(owner: address, amount: uint256):
    erc20._burn(owner, amount)
    self._write_supply(erc20.totalSupply)
    self._move_votes(self.delegates[owner], empty(address), amount)


@internal
def _move_votes(source: address, destination: address, amount: uint256):
    if source == destination or amount == 0:
        return
    if source != empty(address):
        old: uint256 = self._latest(source)
        self._write_checkpoint(source, old - amount)
        log DelegateVotesChanged(delegate=source, previous_votes=old, new_votes=old - amount)
    if destination != empty(address):
        old: uint256 = self._latest(destination)
        self._write_checkpoint(destination, old + amount)
        log DelegateVotesChanged(delegate=destination, previous_votes=old, new_votes=old + amount)


@internal
@view
def _latest(account: address) -> uint256:
    n: uint256 = self.numCheckpoints[account]
    if n == 0:
        return 0
    return self._checkpoints[account][n - 1].votes


@internal
def _write_checkpoint(account: address, votes: uint256):
    # One checkpoint per timestamp: a second change in the same block overwrites.
    n: uint256 = self.numCheckpoints[account]
    if n > 0 and self._checkpoints[account][n - 1].timepoint == block.timestamp:
        self._checkpoints[account][n - 1].votes = votes
        return
    self._checkpoints[account][n] = Checkpoint(timepoint=block.timestamp, votes=votes)
    self.numCheckpoints[account] = n + 1


@internal
def _write_supply(supply: uint256):
    n: uint256 = self._num_supply_checkpoints
    if n > 0 and self._supply_checkpoints[n - 1].timepoint == block.timestamp:
        self._supply_checkpoints[n - 1].votes = supply
        return
    self._supply_checkpoints[n] = Checkpoint(timepoint=block.timestamp, votes=supply)
    self._num_supply_checkpoints = n + 1
