"""Shared fixtures for the gatekeeper unit tests: a deployment record that needs no chain."""

from __future__ import annotations

from veritee.chain.deployment import CONTRACT_NAMES, ContractRecord, Deployment

CHAIN_ID = 31337


def fake_deployment() -> Deployment:
    """A record with made-up addresses: enough for code that never talks to the chain."""
    record = Deployment(chain_id=CHAIN_ID, deployer="0x" + "11" * 20, block=1)
    for number, name in enumerate(CONTRACT_NAMES, start=1):
        address = "0x" + f"{number:02x}" * 20
        record.contracts[name] = ContractRecord(address, "0x" + "00" * 32)
    return Deployment.from_json(record.to_json())
