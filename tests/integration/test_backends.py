"""Both chain backends behave alike under TransactionSender; anvil-only behaviour at the end.

Tests marked ``anvil`` need the anvil binary; without it they fail with AnvilNotInstalled
(``make test`` installs it), they never skip.
"""

from __future__ import annotations

import os
import signal
import stat
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from eth_account import Account
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.types import TxParams

from veritee.chain import (
    ANVIL_VERSION,
    AnvilDevnet,
    ChainBackend,
    CompiledContract,
    EmbeddedChain,
    TransactionSender,
    anvil_binary,
    compile_contract,
    install_anvil,
    revert_reason_from_error,
)
from veritee.exceptions import (
    AnvilNotInstalled,
    ContractRevert,
    NodeError,
    TransactionError,
)

TINY = """\
# pragma version ~=0.4.3
from snekmate.auth import ownable

initializes: ownable

exports: ownable.owner

value: public(uint256)


@deploy
def __init__():
    ownable.__init__()


@external
def set_value(x: uint256):
    assert x > 0, "Tiny: x must be positive"
    self.value = x
"""

ETHER = 10**18


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> CompiledContract:
    directory = tmp_path_factory.mktemp("tiny")
    (directory / "Tiny.vy").write_text(TINY)
    # Keep the compile cache out of the developer's ~/.veritee, but only while compiling:
    # anvil_binary() looks for an installed anvil under the real VERITEE_HOME.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VERITEE_HOME", str(directory / "home"))
        return compile_contract("Tiny", directory)


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def chain(request: pytest.FixtureRequest) -> Iterator[ChainBackend]:
    backend: ChainBackend = EmbeddedChain() if request.param == "embedded" else AnvilDevnet()
    with backend:
        yield backend


def _deploy(chain: ChainBackend, compiled: CompiledContract) -> Contract:
    sender = TransactionSender(chain.w3, chain.accounts[0])
    receipt = sender.send_and_wait({"data": compiled.bytecode})
    return chain.w3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)


def test_accounts_are_ours_and_funded(chain: ChainBackend) -> None:
    assert len(chain.accounts) == 10
    first = Account.from_key(chain.accounts[0].key)
    assert first.address == chain.accounts[0].address
    assert chain.w3.eth.get_balance(first.address) == 1_000_000 * ETHER
    assert chain.w3.eth.chain_id == chain.chain_id


def test_value_transfer(chain: ChainBackend) -> None:
    sender = TransactionSender(chain.w3, chain.accounts[0])
    to = chain.accounts[1].address
    before = chain.w3.eth.get_balance(to)

    receipt = sender.send_and_wait({"to": to, "value": ETHER})

    assert receipt["status"] == 1
    assert chain.w3.eth.get_balance(to) == before + ETHER


def test_large_transaction_fits_in_a_block(chain: ChainBackend) -> None:
    sender = TransactionSender(chain.w3, chain.accounts[0])

    receipt = sender.send_and_wait({"to": chain.accounts[1].address, "gas": 15_000_000})

    assert receipt["status"] == 1


def test_advance_time_moves_block_timestamp(chain: ChainBackend) -> None:
    before = chain.w3.eth.get_block("latest")

    chain.advance_time(3600)

    after = chain.w3.eth.get_block("latest")
    assert after["number"] == before["number"] + 1
    assert before["timestamp"] + 3600 <= after["timestamp"] < before["timestamp"] + 3660


def test_mine_adds_blocks(chain: ChainBackend) -> None:
    before = chain.w3.eth.block_number

    chain.mine(3)

    assert chain.w3.eth.block_number == before + 3


def test_snapshot_and_revert(chain: ChainBackend) -> None:
    to = chain.accounts[2].address
    before = chain.w3.eth.get_balance(to)
    snapshot = chain.snapshot()
    sender = TransactionSender(chain.w3, chain.accounts[0])
    sender.send_and_wait({"to": to, "value": 5 * ETHER})

    chain.revert(snapshot)

    assert chain.w3.eth.get_balance(to) == before
    sender.resync()  # the reverted transaction's nonce is free again
    assert sender.send_and_wait({"to": to, "value": 1})["status"] == 1


def test_concurrent_senders_get_consecutive_nonces(chain: ChainBackend) -> None:
    sender = TransactionSender(chain.w3, chain.accounts[0])
    start = chain.w3.eth.get_transaction_count(sender.address)
    to = chain.accounts[3].address

    first_block = chain.w3.eth.block_number + 1

    def worker(_: int) -> list[int]:
        return [sender.send_and_wait({"to": to, "value": 1})["status"] for _ in range(50)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [status for batch in pool.map(worker, range(8)) for status in batch]

    assert statuses == [1] * 400
    # Read nonces block by block: eth-tester looks a transaction up by hash with a linear scan.
    nonces = sorted(
        tx["nonce"]
        for number in range(first_block, chain.w3.eth.block_number + 1)
        for tx in chain.w3.eth.get_block(number, full_transactions=True)["transactions"]
    )
    assert nonces == list(range(start, start + 400))
    assert chain.w3.eth.get_transaction_count(sender.address) == start + 400


def test_send_many_with_few_slots(chain: ChainBackend) -> None:
    sender = TransactionSender(chain.w3, chain.accounts[0], max_in_flight=5)
    txs: list[TxParams] = [{"to": chain.accounts[4].address, "value": i + 1} for i in range(30)]

    receipts = sender.send_many(txs)

    assert [r["status"] for r in receipts] == [1] * 30
    assert chain.w3.eth.get_balance(chain.accounts[4].address) == 1_000_000 * ETHER + 465


def test_revert_reason_on_call_estimate_and_receipt(
    chain: ChainBackend, tiny: CompiledContract
) -> None:
    contract = _deploy(chain, tiny)
    sender = TransactionSender(chain.w3, chain.accounts[0])
    tx: TxParams = {"to": contract.address, "data": contract.encode_abi("set_value", [0])}

    with pytest.raises(ContractRevert) as by_call:
        sender.call(tx)
    with pytest.raises(ContractRevert) as by_estimate:
        sender.send_and_wait(tx)
    with pytest.raises(ContractRevert) as by_receipt:  # gas given: mined, then replayed
        sender.send_and_wait({**tx, "gas": 200_000}, function="set_value")

    for info in (by_call, by_estimate, by_receipt):
        assert info.value.raw == "Tiny: x must be positive"
        assert (info.value.contract, info.value.reason) == ("Tiny", "x must be positive")
    assert by_receipt.value.function == "set_value"
    sender.send_and_wait({**tx, "data": contract.encode_abi("set_value", [7])})
    assert contract.functions.value().call() == 7


def test_web3_contract_call_reverts_alike(chain: ChainBackend, tiny: CompiledContract) -> None:
    contract = _deploy(chain, tiny)

    with pytest.raises(ContractLogicError) as info:
        contract.functions.set_value(0).call()

    assert revert_reason_from_error(info.value) == "Tiny: x must be positive"


# -- anvil only -------------------------------------------------------------------------------


@pytest.mark.anvil
def test_stuck_transaction_is_replaced_with_higher_fee() -> None:
    with AnvilDevnet() as devnet:
        devnet.set_automine(False)
        sender = TransactionSender(devnet.w3, devnet.accounts[0], stuck_after=0.3)
        first = sender.send({"to": devnet.accounts[1].address, "value": 1})
        first_fee = devnet.w3.eth.get_transaction(first)["maxFeePerGas"]

        with ThreadPoolExecutor(max_workers=1) as pool:
            waiting = pool.submit(sender.wait, first)
            time.sleep(1.0)  # long enough for at least one replacement
            devnet.mine()
            receipt = waiting.result(timeout=30)

        mined = devnet.w3.eth.get_transaction(receipt["transactionHash"])
        assert receipt["transactionHash"] != first
        assert mined["nonce"] == 0
        assert mined["maxFeePerGas"] >= first_fee * 115 // 100
        assert devnet.w3.eth.get_transaction_count(sender.address) == 1


@pytest.mark.anvil
def test_nonce_gap_after_revert_without_resync_fails_fast() -> None:
    with AnvilDevnet() as devnet:
        sender = TransactionSender(devnet.w3, devnet.accounts[0], stuck_after=0.2)
        snapshot = devnet.snapshot()
        sender.send_and_wait({"to": devnet.accounts[1].address, "value": 1})
        devnet.revert(snapshot)

        with pytest.raises(TransactionError, match=r"nonce gap.*resync"):
            sender.send_and_wait({"to": devnet.accounts[1].address, "value": 2})

        sender.resync()
        assert sender.send_and_wait({"to": devnet.accounts[1].address, "value": 3})["status"] == 1


@pytest.mark.anvil
def test_state_survives_kill_9(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    fresh = Account.create().address
    with AnvilDevnet(state_file=state) as devnet:
        TransactionSender(devnet.w3, devnet.accounts[0]).send_and_wait(
            {"to": fresh, "value": 12345}
        )
        sent_at = time.time()
        # --state-interval 1 dumps every second; wait for a dump that includes the transfer.
        while not (state.exists() and state.stat().st_mtime > sent_at + 1.05):
            assert time.time() < sent_at + 10, "anvil never wrote its state file"
            time.sleep(0.1)
        os.kill(devnet.pid, signal.SIGKILL)
        devnet.process.wait(timeout=10)
        funded = devnet.accounts[0].address

    with AnvilDevnet(state_file=state) as restarted:
        assert restarted.w3.eth.get_balance(fresh) == 12345
        assert restarted.w3.eth.get_transaction_count(funded) == 1
        assert restarted.w3.eth.get_balance(funded) < 1_000_000 * ETHER  # not topped up again


def test_missing_binary_raises_anvil_not_installed(tmp_path: Path) -> None:
    with pytest.raises(AnvilNotInstalled, match="install-anvil"):
        AnvilDevnet(binary=tmp_path / "no-such-anvil")


def test_anvil_env_var_pointing_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERITEE_ANVIL", str(tmp_path / "missing"))

    with pytest.raises(AnvilNotInstalled, match="VERITEE_ANVIL"):
        anvil_binary()


def test_lookup_prefers_explicit_then_env_then_managed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit, from_env = _fake_binary(tmp_path / "a"), _fake_binary(tmp_path / "b")
    managed = _managed_install(tmp_path / "home")
    monkeypatch.setenv("VERITEE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VERITEE_ANVIL", str(from_env))

    assert anvil_binary(explicit) == explicit
    assert anvil_binary() == from_env
    monkeypatch.delenv("VERITEE_ANVIL")
    assert anvil_binary() == managed


def test_install_anvil_is_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    managed = _managed_install(tmp_path)
    monkeypatch.setenv("VERITEE_HOME", str(tmp_path))
    monkeypatch.setattr("shutil.which", lambda _: None)  # would fail if it tried npm

    assert install_anvil() == managed


def test_node_that_exits_early_raises_node_error_with_its_output(tmp_path: Path) -> None:
    script = _fake_binary(tmp_path / "anvil", "echo 'bad flag --frobnicate' >&2; exit 2")

    with pytest.raises(NodeError, match="bad flag --frobnicate") as info:
        AnvilDevnet(binary=script)

    assert "code 2" in str(info.value)


def _fake_binary(path: Path, body: str = "exit 0") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _managed_install(home: Path) -> Path:
    package = home / "tools" / "anvil" / "node_modules" / "@foundry-rs" / "anvil-linux-amd64"
    (package / "package.json").parent.mkdir(parents=True)
    (package / "package.json").write_text(f'{{"version": "{ANVIL_VERSION}"}}')
    return _fake_binary(package / "bin" / "anvil")


def test_threads_do_not_share_a_nonce_across_two_senders() -> None:
    # Two senders for two accounts on one embedded chain: the provider lock keeps py-evm sane.
    with EmbeddedChain() as chain:
        senders = [TransactionSender(chain.w3, chain.accounts[i]) for i in (5, 6)]
        errors: list[BaseException] = []

        def run(sender: TransactionSender) -> None:
            try:
                for _ in range(20):
                    sender.send_and_wait({"to": chain.accounts[7].address, "value": 1})
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(s,)) for s in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert [chain.w3.eth.get_transaction_count(s.address) for s in senders] == [20, 20]
