"""Token.DOMAIN_SEPARATOR and eip712Domain: the EIP-712 domain `permit` signatures use."""

import boa

from veritee.crypto.typed_data import Domain


def test_default_behavior(token):
    domain = Domain("veritee", "1", boa.env.evm.patch.chain_id, str(token.address))
    assert token.DOMAIN_SEPARATOR() == domain.separator()


def test_eip712_domain(token):
    fields, name, version, chain_id, contract, salt, extensions = token.eip712Domain()
    assert fields == b"\x0f"  # name, version, chainId, verifyingContract
    assert (name, version) == ("veritee", "1")
    assert chain_id == boa.env.evm.patch.chain_id
    assert contract == token.address
    assert salt == b"\x00" * 32
    assert extensions == []
