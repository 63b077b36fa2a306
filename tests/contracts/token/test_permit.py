"""Token.permit (EIP-2612): allowances set by an owner's off-chain signature (and `nonces`).

Signatures are made with eth-account's own EIP-712 encoder, independent of the contract's.
"""

import boa
from eth_account import Account

from tests.contracts.event_assertions import events
from tests.contracts.token.conftest import ALICE_KEY, BOB_KEY, give, now

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
PERMIT_TYPES = {
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


def sign_permit(token, key, owner, spender, value, nonce, deadline, *, chain_id=None):
    signed = Account.sign_typed_data(
        key,
        domain_data={
            "name": "veritee",
            "version": "1",
            "chainId": boa.env.evm.patch.chain_id if chain_id is None else chain_id,
            "verifyingContract": str(token.address),
        },
        message_types=PERMIT_TYPES,
        message_data={
            "owner": owner,
            "spender": spender,
            "value": value,
            "nonce": nonce,
            "deadline": deadline,
        },
    )
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def test_default_behavior(token, alice, bob, carol):
    deadline = now() + 3_600
    v, r, s = sign_permit(token, ALICE_KEY, alice, bob, 500, 0, deadline)
    with boa.env.prank(carol):  # anyone may relay the permit
        token.permit(alice, bob, 500, deadline, v, r, s)
    assert events(token) == [("Approval", {"owner": alice, "spender": bob, "value": 500})]
    assert token.allowance(alice, bob) == 500
    assert token.nonces(alice) == 1
    assert token.nonces(bob) == 0


def test_spender_can_use_allowance(token, owner, alice, bob):
    give(token, owner, alice, 500)
    deadline = now() + 3_600
    token.permit(
        alice, bob, 500, deadline, *sign_permit(token, ALICE_KEY, alice, bob, 500, 0, deadline)
    )
    with boa.env.prank(bob):
        token.transferFrom(alice, bob, 500)
    assert token.balanceOf(bob) == 500


def test_deadline_is_inclusive(token, alice, bob):
    deadline = now()
    token.permit(
        alice, bob, 1, deadline, *sign_permit(token, ALICE_KEY, alice, bob, 1, 0, deadline)
    )
    assert token.allowance(alice, bob) == 1


def test_consecutive_nonces(token, alice, bob):
    deadline = now() + 60
    for nonce, value in enumerate((10, 20)):
        signature = sign_permit(token, ALICE_KEY, alice, bob, value, nonce, deadline)
        token.permit(alice, bob, value, deadline, *signature)
    assert token.allowance(alice, bob) == 20
    assert token.nonces(alice) == 2


def test_revert_expired(token, alice, bob):
    deadline = now() - 1
    signature = sign_permit(token, ALICE_KEY, alice, bob, 1, 0, deadline)
    with boa.reverts("erc20: expired deadline"):
        token.permit(alice, bob, 1, deadline, *signature)


def test_revert_signed_by_another_key(token, alice, bob):
    deadline = now() + 60
    signature = sign_permit(token, BOB_KEY, alice, bob, 1, 0, deadline)
    with boa.reverts("erc20: invalid signature"):
        token.permit(alice, bob, 1, deadline, *signature)


def test_revert_tampered_amount(token, alice, bob):
    deadline = now() + 60
    signature = sign_permit(token, ALICE_KEY, alice, bob, 1, 0, deadline)
    with boa.reverts("erc20: invalid signature"):
        token.permit(alice, bob, 2, deadline, *signature)


def test_revert_other_chain(token, alice, bob):
    deadline = now() + 60
    chain_id = boa.env.evm.patch.chain_id + 1
    signature = sign_permit(token, ALICE_KEY, alice, bob, 1, 0, deadline, chain_id=chain_id)
    with boa.reverts("erc20: invalid signature"):
        token.permit(alice, bob, 1, deadline, *signature)


def test_revert_replayed(token, alice, bob):
    deadline = now() + 60
    signature = sign_permit(token, ALICE_KEY, alice, bob, 1, 0, deadline)
    token.permit(alice, bob, 1, deadline, *signature)
    with boa.reverts("erc20: invalid signature"):
        token.permit(alice, bob, 1, deadline, *signature)
    assert token.nonces(alice) == 1


def test_revert_malleable_signature(token, alice, bob):
    deadline = now() + 60
    v, r, s = sign_permit(token, ALICE_KEY, alice, bob, 1, 0, deadline)
    high_s = (SECP256K1_N - int.from_bytes(s, "big")).to_bytes(32, "big")
    with boa.reverts("ecdsa: invalid signature `s` value"):
        token.permit(alice, bob, 1, deadline, 55 - v, r, high_s)
