"""Gatekeepers.eip712Domain: the domain gatekeepers sign network-key publications in."""

import boa


def test_default_behavior(gatekeepers):
    fields, name, version, chain_id, contract, salt, extensions = gatekeepers.eip712Domain()
    assert fields == b"\x0f"  # name, version, chainId, verifyingContract
    assert (name, version) == ("veritee Gatekeepers", "1")
    assert chain_id == boa.env.evm.patch.chain_id
    assert contract == gatekeepers.address
    assert salt == b"\x00" * 32
    assert extensions == []
