"""The deployment record: JSON round trip and a clear error for every malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veritee.chain.deployment import CONTRACT_NAMES, ContractRecord, Deployment
from veritee.exceptions import DeploymentError


def _record() -> Deployment:
    return Deployment(
        chain_id=31337,
        deployer="0x" + "aa" * 20,
        block=12,
        contracts={
            name: ContractRecord("0x" + f"{i + 1:02x}" * 20, "0x" + "cd" * 32)
            for i, name in enumerate(CONTRACT_NAMES)
        },
    )


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deployment.json"
    record = _record()
    record.save(path)
    loaded = Deployment.load(path)
    assert loaded.chain_id == 31337
    assert loaded.address("Jobs") == "0x0707070707070707070707070707070707070707"
    assert loaded.contracts.keys() == record.contracts.keys()
    assert list(tmp_path.joinpath("nested").iterdir()) == [path]  # no temp file left


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"version": 99}', "unsupported deployment record version 99"),
        ('{"version": 1, "chain_id": 1}', "malformed"),
    ],
)
def test_malformed_records_are_refused(text: str, message: str) -> None:
    with pytest.raises(DeploymentError, match=message):
        Deployment.from_json(text)


def test_missing_contract_and_bad_address_are_refused() -> None:
    raw = json.loads(_record().to_json())
    del raw["contracts"]["Jobs"]
    with pytest.raises(DeploymentError, match="lacks Jobs"):
        Deployment.from_json(json.dumps(raw))
    raw = json.loads(_record().to_json())
    raw["contracts"]["Token"]["address"] = "0x1234"
    with pytest.raises(DeploymentError, match="malformed"):
        Deployment.from_json(json.dumps(raw))


def test_unknown_contract_name_and_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(DeploymentError, match="no contract 'Nope'"):
        _record().address("Nope")
    with pytest.raises(DeploymentError, match="cannot read deployment record"):
        Deployment.load(tmp_path / "absent.json")
