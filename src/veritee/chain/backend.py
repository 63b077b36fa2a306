"""The chains veritee runs on: an in-process EVM, or anvil as a child process.

Both implement :class:`ChainBackend`, so code that talks to the chain never cares which it has:
it gets a :class:`web3.Web3`, funded accounts with private keys (transactions are always signed
locally and sent raw, exactly as against a production RPC), and test-only time travel, mining
and snapshots. :func:`anvil_binary` finds anvil and :func:`install_anvil` fetches the pinned
build from npm.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

import requests
from eth_abi.abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from eth_utils.currency import to_wei
from eth_utils.exceptions import ValidationError
from web3 import EthereumTesterProvider, Web3
from web3.types import RPCEndpoint, RPCResponse

from veritee.chain.rpc import http_web3
from veritee.exceptions import AnvilNotInstalled, NodeError

__all__ = [
    "ANVIL_VERSION",
    "BLOCK_GAS_LIMIT",
    "AnvilDevnet",
    "ChainBackend",
    "EmbeddedChain",
    "RemoteAnvil",
    "anvil_binary",
    "dev_accounts",
    "install_anvil",
]

# Room for a ~15M-gas transaction with headroom; both backends use the same limit.
BLOCK_GAS_LIMIT = 60_000_000
_DEV_KEY_SEED = b"veritee-dev-account"
_ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
ANVIL_VERSION = "1.7.1"
_ANVIL_PACKAGE = "@foundry-rs/anvil-linux-amd64"


def dev_accounts(count: int) -> list[LocalAccount]:
    """Return ``count`` deterministic development accounts.

    Key ``i`` is ``keccak(b"veritee-dev-account" + i.to_bytes(4, "big"))``. These keys are
    public knowledge: use them on local development chains only, never on a real network.
    """
    return [Account.from_key(keccak(_DEV_KEY_SEED + i.to_bytes(4, "big"))) for i in range(count)]


class ChainBackend(ABC):
    """A chain plus the development controls tests need.

    ``accounts`` are pre-funded and hold their private keys. Snapshots are single use: after
    ``revert(s)`` take a new snapshot before reverting again. Usable as a context manager.
    """

    w3: Web3
    chain_id: int
    rpc_url: str | None
    accounts: list[LocalAccount]

    @abstractmethod
    def advance_time(self, seconds: int) -> None:
        """Mine a block whose timestamp is at least ``seconds`` after the latest one."""

    @abstractmethod
    def mine(self, blocks: int = 1) -> None:
        """Mine ``blocks`` blocks (including any pending transactions)."""

    @abstractmethod
    def snapshot(self) -> object:
        """Record the chain state; pass the result to :meth:`revert`."""

    @abstractmethod
    def revert(self, snapshot: object) -> None:
        """Return the chain to a state recorded by :meth:`snapshot`."""

    @abstractmethod
    def close(self) -> None:
        """Release the chain (stop the node, if any). Safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _SerialTesterProvider(EthereumTesterProvider):
    """EthereumTesterProvider made safe for threads and shaped like a real node's errors.

    eth-tester is not thread-safe, so every request holds ``lock``. It also raises Python
    exceptions where a node answers with JSON-RPC errors; we turn them back into error
    responses so web3 raises the same exceptions (``ContractLogicError``, ``Web3RPCError`` with
    geth's "nonce too low") on both backends.
    """

    def __init__(self, tester: Any, lock: threading.RLock) -> None:
        super().__init__(tester)
        self.lock = lock

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        from eth_tester.exceptions import TransactionFailed

        with self.lock:
            try:
                return super().make_request(method, params)
            except TransactionFailed as exc:
                return _revert_response(str(exc.args[0]) if exc.args else "")
            except ValidationError as exc:
                return _error_response(-32000, _geth_style(str(exc)))


def _error_response(code: int, message: str, data: str | None = None) -> RPCResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return cast(RPCResponse, {"jsonrpc": "2.0", "id": 0, "error": error})


def _revert_response(message: str) -> RPCResponse:
    reason = message.removeprefix("execution reverted").removeprefix(":").strip()
    if reason.startswith(("b'", 'b"')):
        # py-evm reports revert data that is not Error(string) as a bytes repr; hand the raw
        # bytes back as a node would (empty for a bare revert).
        try:
            raw = ast.literal_eval(reason)
        except (ValueError, SyntaxError):
            raw = None
        if isinstance(raw, bytes):
            return _error_response(3, "execution reverted", "0x" + raw.hex())
    data = "0x" + (_ERROR_SELECTOR + encode(["string"], [reason])).hex()
    return _error_response(3, f"execution reverted: {reason}", data)


def _geth_style(message: str) -> str:
    match = re.search(r"Invalid transaction nonce: Expected (\d+), but got (\d+)", message)
    if match:
        expected, got = int(match[1]), int(match[2])
        return f"nonce too {'low' if got < expected else 'high'}: {message}"
    return message


class EmbeddedChain(ChainBackend):
    """An in-process EVM (py-evm through eth-tester); no node, no ports.

    Every transaction is mined at once in its own block. Funded accounts come from
    :func:`dev_accounts`, not eth-tester's built-in keys.
    """

    def __init__(self, accounts: int = 10, balance_eth: int = 1_000_000) -> None:
        from eth_keys.datatypes import PrivateKey
        from eth_tester import EthereumTester, PyEVMBackend
        from eth_tester.backends.pyevm.main import generate_genesis_state_for_keys

        self.accounts = dev_accounts(accounts)
        private_keys = [PrivateKey(bytes(a.key)) for a in self.accounts]
        state = generate_genesis_state_for_keys(
            private_keys, overrides={"balance": to_wei(balance_eth, "ether")}
        )
        params = PyEVMBackend.generate_genesis_params(overrides={"gas_limit": BLOCK_GAS_LIMIT})
        backend = PyEVMBackend(genesis_parameters=params, genesis_state=state)
        # eth-tester otherwise lists its own unfunded keys (0x...01) in eth_accounts.
        backend.account_keys = tuple(private_keys)
        self._lock = threading.RLock()
        self.tester = EthereumTester(backend)
        self.w3 = Web3(_SerialTesterProvider(self.tester, self._lock))
        self.chain_id = self.w3.eth.chain_id
        self.rpc_url = None

    def advance_time(self, seconds: int) -> None:
        if seconds < 0:
            raise ValueError("cannot move time backwards")
        with self._lock:
            target = self.tester.get_block_by_number("latest")["timestamp"] + seconds
            # time_travel refuses a target at or before the pending block's timestamp.
            if target > self.tester.get_block_by_number("pending")["timestamp"]:
                # py-evm mines the travelled-to block one second early; ask for one more.
                self.tester.time_travel(target + 1)
            else:
                self.tester.mine_blocks(1)

    def mine(self, blocks: int = 1) -> None:
        with self._lock:
            self.tester.mine_blocks(blocks)

    def snapshot(self) -> object:
        with self._lock:
            return self.tester.take_snapshot()

    def revert(self, snapshot: object) -> None:
        with self._lock:
            self.tester.revert_to_snapshot(snapshot)

    def close(self) -> None:
        """Nothing to release; the chain lives as long as this object."""


class AnvilDevnet(ChainBackend):
    """anvil as a child process on 127.0.0.1, optionally persisting its state to a file.

    ``port=0`` lets the OS pick a free port (read back from anvil's output). With
    ``state_file`` the chain is loaded from the file if it exists and dumped to it every second
    and on exit. Accounts from :func:`dev_accounts` are funded if they are empty and unused.
    The node's output goes to ``log_file`` (a temporary file by default).
    """

    def __init__(
        self,
        state_file: Path | None = None,
        port: int = 0,
        block_time: float | None = None,
        chain_id: int = 31337,
        binary: Path | None = None,
        *,
        accounts: int = 10,
        balance_eth: int = 1_000_000,
        log_file: Path | None = None,
        startup_timeout: float = 30.0,
    ) -> None:
        executable = anvil_binary(binary)
        args = [str(executable), "--host", "127.0.0.1", "--port", str(port)]
        args += ["--chain-id", str(chain_id), "--accounts", "0"]
        args += ["--gas-limit", str(BLOCK_GAS_LIMIT)]
        if block_time is not None:
            args += ["--block-time", str(block_time)]
        if state_file is not None:
            args += ["--state", str(state_file), "--state-interval", "1"]
        if log_file is None:
            handle, name = tempfile.mkstemp(prefix="veritee-anvil-", suffix=".log")
            log_file, self._owns_log = Path(name), True
        else:
            handle, self._owns_log = -1, False
        self.log_file = log_file
        # A file, not a pipe: anvil logs every request, and a pipe nobody drains would fill
        # up and freeze the node.
        with open(log_file, "wb") if handle < 0 else open(handle, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        self._finalizer = weakref.finalize(self, _stop, self.process)
        try:
            self.port = self._wait_for_port(startup_timeout)
            self.rpc_url = f"http://127.0.0.1:{self.port}"
            self._session = requests.Session()
            self._session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=64))
            self.w3 = http_web3(self.rpc_url, timeout=60, session=self._session)
            self.chain_id = self.w3.eth.chain_id
            self.accounts = dev_accounts(accounts)
            self._fund_unused(to_wei(balance_eth, "ether"))
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int:
        """The anvil process id."""
        return self.process.pid

    def _log_tail(self, size: int = 2000) -> str:
        try:
            with self.log_file.open("rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - size))
                return log.read().decode(errors="replace")
        except OSError:
            return "(no log)"

    def _wait_for_port(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(r"Listening on 127\.0\.0\.1:(\d+)", self._log_tail(4000))
            if match:
                return int(match[1])
            if self.process.poll() is not None:
                raise NodeError(
                    f"anvil exited with code {self.process.returncode} before listening; "
                    f"its output ends with:\n{self._log_tail()}"
                )
            time.sleep(0.02)
        raise NodeError(
            f"anvil did not report a port within {timeout:.0f} s; output:\n{self._log_tail()}"
        )

    def _rpc(self, method: str, params: list[Any]) -> Any:
        response = self.w3.provider.make_request(RPCEndpoint(method), params)
        if "error" in response:
            raise NodeError(f"anvil rejected {method}: {response['error']}")
        return response.get("result")

    def _fund_unused(self, wei: int) -> None:
        for account in self.accounts:
            address = account.address
            if (
                self.w3.eth.get_balance(address) == 0
                and self.w3.eth.get_transaction_count(address) == 0
            ):
                self._rpc("anvil_setBalance", [address, hex(wei)])

    def advance_time(self, seconds: int) -> None:
        if seconds < 0:
            raise ValueError("cannot move time backwards")
        self._rpc("evm_increaseTime", [seconds])
        self._rpc("evm_mine", [])

    def mine(self, blocks: int = 1) -> None:
        self._rpc("anvil_mine", [hex(blocks)])

    def set_automine(self, enabled: bool) -> None:
        """Turn mining on every transaction on or off (off: mine with :meth:`mine`)."""
        self._rpc("evm_setAutomine", [enabled])

    def snapshot(self) -> object:
        return self._rpc("evm_snapshot", [])

    def revert(self, snapshot: object) -> None:
        if not self._rpc("evm_revert", [snapshot]):
            raise NodeError(f"anvil has no snapshot {snapshot!r} (snapshots are single use)")

    def close(self) -> None:
        """Stop anvil (it dumps its state file on the way out) and remove the temporary log."""
        self._finalizer()
        session = getattr(self, "_session", None)
        if session is not None:
            session.close()
        if self._owns_log:
            self.log_file.unlink(missing_ok=True)


class RemoteAnvil(ChainBackend):
    """An anvil node this process did not start (``veritee devnet up`` runs it), by RPC URL.

    The development accounts are those of :func:`dev_accounts`; :meth:`close` releases the
    connection only and never stops the node.
    """

    def __init__(self, rpc_url: str, *, accounts: int = 10, timeout: float = 60.0) -> None:
        self.rpc_url = rpc_url
        self._session = requests.Session()
        self.w3 = http_web3(rpc_url, timeout=timeout, session=self._session)
        try:
            self.chain_id = self.w3.eth.chain_id
        except (requests.RequestException, OSError) as exc:
            self._session.close()
            raise NodeError(f"no chain answers at {rpc_url}: {exc}") from exc
        self.accounts = dev_accounts(accounts)

    def _rpc(self, method: str, params: list[Any]) -> Any:
        response = self.w3.provider.make_request(RPCEndpoint(method), params)
        if "error" in response:
            raise NodeError(f"anvil rejected {method}: {response['error']}")
        return response.get("result")

    def advance_time(self, seconds: int) -> None:
        if seconds < 0:
            raise ValueError("cannot move time backwards")
        self._rpc("evm_increaseTime", [seconds])
        self._rpc("evm_mine", [])

    def mine(self, blocks: int = 1) -> None:
        self._rpc("anvil_mine", [hex(blocks)])

    def snapshot(self) -> object:
        return self._rpc("evm_snapshot", [])

    def revert(self, snapshot: object) -> None:
        if not self._rpc("evm_revert", [snapshot]):
            raise NodeError(f"anvil has no snapshot {snapshot!r} (snapshots are single use)")

    def close(self) -> None:
        self._session.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop one child by its PID: SIGTERM, a grace period, then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _veritee_home() -> Path:
    return Path(os.environ.get("VERITEE_HOME") or Path.home() / ".veritee")


def _managed_anvil() -> Path:
    return _veritee_home() / "tools" / "anvil" / "node_modules" / _ANVIL_PACKAGE / "bin" / "anvil"


_INSTALL_HINT = "install it with `veritee devnet install-anvil` (npm, pinned to anvil {version})"


def anvil_binary(explicit: Path | None = None) -> Path:
    """Find anvil: ``explicit`` > ``$VERITEE_ANVIL`` > the copy :func:`install_anvil` made >
    ``anvil`` on PATH. Raises :class:`AnvilNotInstalled` saying how to install it."""
    hint = _INSTALL_HINT.format(version=ANVIL_VERSION)
    # An explicit choice that is wrong is an error, not a reason to pick another anvil.
    for source, value in (("binary", explicit), ("VERITEE_ANVIL", os.environ.get("VERITEE_ANVIL"))):
        if value:
            path = Path(value).expanduser()
            if path.is_file() and os.access(path, os.X_OK):
                return path
            raise AnvilNotInstalled(f"anvil not found at {path} (from {source}); {hint}")
    managed = _managed_anvil()
    if managed.is_file():
        return managed
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise AnvilNotInstalled(f"anvil not found (looked in {managed} and on PATH); {hint}")


def install_anvil() -> Path:
    """Install the pinned anvil from npm under ``$VERITEE_HOME/tools/anvil``; return its path.

    Does nothing when that version is already there. Raises :class:`AnvilNotInstalled` when npm
    is missing and :class:`NodeError` (with npm's output) when the install fails.
    """
    binary = _managed_anvil()
    manifest = binary.parent.parent / "package.json"
    try:
        if binary.is_file() and json.loads(manifest.read_text())["version"] == ANVIL_VERSION:
            return binary
    except (OSError, ValueError, KeyError):
        pass  # missing or broken install: reinstall over it
    npm = shutil.which("npm")
    if npm is None:
        raise AnvilNotInstalled("npm not found; install Node.js 20 or later, then retry")
    prefix = _veritee_home() / "tools" / "anvil"
    prefix.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix)]
    command.append(f"{_ANVIL_PACKAGE}@{ANVIL_VERSION}")
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            command, capture_output=True, text=True, timeout=600, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NodeError(f"npm install of anvil failed: {exc}") from exc
    if result.returncode != 0 or not binary.is_file():
        output = (result.stdout + result.stderr)[-3000:]
        raise NodeError(f"npm install of anvil failed (exit {result.returncode}):\n{output}")
    return binary
