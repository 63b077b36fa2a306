"""Typed client for the Token contract (ERC-20, EIP-2612 permit, vote checkpoints)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from web3.types import TxReceipt

from veritee.chain.clients.base import ContractClient
from veritee.chain.types import TokenAmount
from veritee.crypto.typed_data import sign_digest

__all__ = ["Permit", "TokenClient"]

_PERMIT_TYPE = "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"


@dataclass(frozen=True)
class Permit:
    """A signed EIP-2612 permit, split as the contracts take it."""

    owner: str
    spender: str
    value: int
    deadline: int
    v: int
    r: bytes
    s: bytes


class TokenClient(ContractClient):
    """The veritee token."""

    contract_name = "Token"

    def balance_of(self, account: str) -> TokenAmount:
        return TokenAmount(self._call("balanceOf", to_checksum_address(account)))

    def total_supply(self) -> TokenAmount:
        return TokenAmount(self._call("totalSupply"))

    def allowance(self, owner: str, spender: str) -> TokenAmount:
        return TokenAmount(
            self._call("allowance", to_checksum_address(owner), to_checksum_address(spender))
        )

    def nonce(self, owner: str) -> int:
        return int(self._call("nonces", to_checksum_address(owner)))

    def votes(self, account: str) -> TokenAmount:
        return TokenAmount(self._call("getVotes", to_checksum_address(account)))

    def past_votes(self, account: str, timepoint: int) -> TokenAmount:
        return TokenAmount(self._call("getPastVotes", to_checksum_address(account), timepoint))

    def transfer(self, to: str, amount: int) -> TxReceipt:
        return self._transact("transfer", to_checksum_address(to), amount)

    def approve(self, spender: str, amount: int) -> TxReceipt:
        return self._transact("approve", to_checksum_address(spender), amount)

    def delegate(self, delegatee: str) -> TxReceipt:
        return self._transact("delegate", to_checksum_address(delegatee))

    def mint(self, to: str, amount: int) -> TxReceipt:
        return self._transact("mint", to_checksum_address(to), amount)

    def sign_permit(
        self, private_key: bytes, owner: str, spender: str, value: int, deadline: int
    ) -> Permit:
        """Signs an EIP-2612 permit with ``owner``'s key, using its current nonce."""
        struct_hash = keccak(
            encode(
                ["bytes32", "address", "address", "uint256", "uint256", "uint256"],
                [
                    keccak(text=_PERMIT_TYPE),
                    to_checksum_address(owner),
                    to_checksum_address(spender),
                    value,
                    self.nonce(owner),
                    deadline,
                ],
            )
        )
        signature = sign_digest(private_key, self.domain().digest(struct_hash))
        return Permit(
            owner=to_checksum_address(owner),
            spender=to_checksum_address(spender),
            value=value,
            deadline=deadline,
            v=signature[64],
            r=signature[:32],
            s=signature[32:64],
        )
