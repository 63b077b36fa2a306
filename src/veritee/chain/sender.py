"""Send transactions from one local account, safely from many threads.

:class:`TransactionSender` is the one place that knows about nonces, gas, fees, stuck
transactions and revert reasons; everything else in veritee hands it plain transaction dicts.
It signs locally and sends raw transactions, so it works the same against the embedded chain,
anvil and a production RPC.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from eth_abi.abi import decode
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError
from web3.types import BlockIdentifier, TxParams, TxReceipt

from veritee.exceptions import ContractRevert, NodeError, TransactionError

__all__ = ["TransactionSender", "gas_limit_for", "revert_reason_from_error"]

_ERROR_SELECTOR = "0x08c379a0"  # Error(string)
_REVERT_PREFIX = "execution reverted"
_GAS_MARGIN = 10_000
# Node messages meaning "this nonce is no longer ours to use": geth, anvil, our eth-tester shim.
_STALE_NONCE = ("nonce too low", "nonce too high", "already known", "already imported")


def revert_reason_from_error(exc: Exception) -> str | None:
    """Return the revert reason carried by a web3 or node exception, or None if there is none.

    Decodes ``Error(string)`` revert data where present and strips web3's
    ``"execution reverted: "`` prefix; a bare revert gives None.
    """
    data: Any = None
    message: str | None = None
    if isinstance(exc, ContractLogicError):
        data, message = exc.data, exc.message
    elif isinstance(exc, Web3RPCError) and isinstance(exc.rpc_response, dict):
        error = exc.rpc_response.get("error")
        if isinstance(error, dict):
            data, message = error.get("data"), error.get("message")
    elif type(exc).__name__ == "TransactionFailed":  # raw eth-tester, without our provider
        message = str(exc.args[0]) if exc.args else None
    else:
        return None
    if isinstance(data, str) and data.startswith(_ERROR_SELECTOR):
        try:
            return str(decode(["string"], bytes.fromhex(data[10:]))[0])
        except Exception:  # noqa: S110 - malformed data: fall back to the message
            pass
    if not message:
        return None
    if message.startswith(_REVERT_PREFIX):
        return message[len(_REVERT_PREFIX) :].removeprefix(":").strip() or None
    # Other contract errors (a panic, say) carry their description as the message.
    return message if isinstance(exc, ContractLogicError) else None


def gas_limit_for(estimate: int) -> int:
    """The gas limit sent for a transaction estimated at ``estimate``: 20% and a fixed margin
    above it, so a state change between estimate and inclusion does not run it out of gas."""
    return math.ceil(estimate * 1.2) + _GAS_MARGIN


@dataclass
class _Pending:
    """One nonce of ours not yet seen mined, and every hash sent for it."""

    nonce: int
    tx: dict[str, Any]
    hashes: list[HexBytes] = field(default_factory=list)
    sent_at: float = field(default_factory=time.monotonic)


class TransactionSender:
    """Fills, signs and sends transactions for ``account``, tracking nonces across threads.

    At most ``max_in_flight`` transactions are unconfirmed at once (anvil stalls beyond ~200).
    A transaction not mined within ``stuck_after`` seconds is re-sent with the same nonce and
    fees raised by ``fee_bump_percent`` (at least 10%). After ``snapshot``/``revert`` on a
    chain, call :meth:`resync`.
    """

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        *,
        max_in_flight: int = 200,
        stuck_after: float = 30.0,
        fee_bump_percent: int = 15,
        receipt_timeout: float = 120.0,
        poll_interval: float = 0.05,
    ) -> None:
        self.w3 = w3
        self.account = account
        self.address = account.address
        self.stuck_after = stuck_after
        self.fee_bump_percent = max(fee_bump_percent, 10)
        self.receipt_timeout = receipt_timeout
        self.poll_interval = poll_interval
        self.chain_id = w3.eth.chain_id
        self._max_in_flight = max_in_flight
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._lock = threading.RLock()  # guards the nonce, the pending table and sending
        self._pending: dict[int, _Pending] = {}
        self._by_hash: dict[HexBytes, int] = {}
        self._last_progress = time.monotonic()
        self._next_nonce = self._chain_nonce()

    def _chain_nonce(self) -> int:
        return self.w3.eth.get_transaction_count(self.address, "pending")

    def resync(self) -> None:
        """Forget every transaction in flight and continue from the account's mined nonce.

        Call it after reverting a chain snapshot: the reverted transactions are gone, and
        nonces the chain no longer knows would wait forever.
        """
        with self._lock:
            for _ in self._pending:
                self._slots.release()
            self._pending.clear()
            self._by_hash.clear()
            # "latest", not "pending": right after a revert, only the mined state is certain.
            self._next_nonce = self.w3.eth.get_transaction_count(self.address, "latest")

    # -- filling and sending --------------------------------------------------------------

    def _fill(self, tx: TxParams, function: str | None) -> dict[str, Any]:
        filled: dict[str, Any] = dict(tx)
        filled["from"] = self.address
        filled.setdefault("chainId", self.chain_id)
        filled.setdefault("value", 0)
        if "gas" not in filled:
            try:
                estimate = self.w3.eth.estimate_gas(cast(TxParams, filled))
            except (ContractLogicError, Web3RPCError) as exc:
                raise _as_revert(exc, function) from exc
            filled["gas"] = gas_limit_for(estimate)
        if not ({"gasPrice", "maxFeePerGas"} & filled.keys()):
            base_fee = self.w3.eth.get_block("latest").get("baseFeePerGas")
            if base_fee is None:
                filled["gasPrice"] = self.w3.eth.gas_price
            else:
                tip = filled.get("maxPriorityFeePerGas") or self.w3.eth.max_priority_fee
                filled["maxPriorityFeePerGas"] = tip
                filled["maxFeePerGas"] = 2 * base_fee + tip
        return filled

    def _send_raw(self, filled: dict[str, Any]) -> HexBytes:
        signed = self.account.sign_transaction(filled)
        try:
            return HexBytes(self.w3.eth.send_raw_transaction(signed.raw_transaction))
        except Web3RPCError as exc:
            if "already known" in str(exc) or "already imported" in str(exc):
                return HexBytes(signed.hash)  # the node has this exact transaction already
            raise
        except OSError as exc:
            raise NodeError(f"could not reach the node to send a transaction: {exc}") from exc

    def send(self, tx: TxParams, *, function: str | None = None) -> HexBytes:
        """Fill in what ``tx`` lacks (chain id, nonce, gas, fees), sign, send; return the hash.

        Raises :class:`ContractRevert` when gas estimation shows the call would revert
        (``function`` names the call in that error).
        """
        filled = self._fill(tx, function)
        self._acquire_slot()
        try:
            for attempt in range(3):
                with self._lock:
                    filled["nonce"] = self._next_nonce
                    try:
                        tx_hash = self._send_raw(filled)
                    except Web3RPCError as exc:
                        if attempt == 2 or not any(s in str(exc) for s in _STALE_NONCE):
                            raise TransactionError(f"node refused transaction: {exc}") from exc
                        self._next_nonce = self._chain_nonce()
                        continue
                    self._next_nonce += 1
                    self._track(_Pending(filled["nonce"], filled, [tx_hash]))
                    return tx_hash
        except BaseException:
            self._slots.release()
            raise
        raise AssertionError("unreachable")

    def _track(self, pending: _Pending) -> None:
        stale = self._pending.pop(pending.nonce, None)
        if stale is not None:  # a nonce reused after a resync: its old slot is free again
            for tx_hash in stale.hashes:
                self._by_hash.pop(tx_hash, None)
            self._slots.release()
        self._pending[pending.nonce] = pending
        self._by_hash[pending.hashes[0]] = pending.nonce

    def _acquire_slot(self) -> None:
        deadline = time.monotonic() + self.receipt_timeout
        while not self._slots.acquire(timeout=self.poll_interval):
            # Slots of transactions nobody waits for are reclaimed from the account nonce.
            self._release_confirmed(self.w3.eth.get_transaction_count(self.address, "latest"))
            if time.monotonic() > deadline:
                raise TransactionError(
                    f"{self._max_in_flight} transactions still unconfirmed after "
                    f"{self.receipt_timeout:.0f} s"
                )

    def _release_confirmed(self, mined_count: int) -> None:
        with self._lock:
            for nonce in [n for n in self._pending if n < mined_count]:
                pending = self._pending.pop(nonce)
                for tx_hash in pending.hashes:
                    self._by_hash.pop(tx_hash, None)
                self._slots.release()
                self._last_progress = time.monotonic()

    # -- waiting ---------------------------------------------------------------------------

    def wait(self, tx_hash: HexBytes | bytes | str, *, function: str | None = None) -> TxReceipt:
        """Wait for ``tx_hash`` (or a fee-bumped replacement of it) to be mined.

        Raises :class:`ContractRevert` with the revert reason when it failed, and
        :class:`TransactionError` when nothing was mined within ``receipt_timeout``.
        """
        tx_hash = HexBytes(tx_hash)
        with self._lock:
            nonce = self._by_hash.get(tx_hash)
            pending = self._pending.get(nonce) if nonce is not None else None
        deadline = time.monotonic() + self.receipt_timeout
        while True:
            for candidate in list(pending.hashes if pending else [tx_hash]):
                receipt = self._receipt(candidate)
                if receipt is not None:
                    if nonce is not None:
                        self._release_confirmed(nonce + 1)
                    if receipt["status"] == 0:
                        raise self._revert_from_receipt(receipt, function)
                    return receipt
            if time.monotonic() > deadline:
                sent = ", ".join(h.to_0x_hex() for h in (pending.hashes if pending else [tx_hash]))
                raise TransactionError(
                    f"transaction not mined within {self.receipt_timeout:.0f} s (sent as {sent})"
                )
            if pending is not None and self._is_stuck(pending):
                self._check_gap(pending)
                self._replace(pending)
            time.sleep(self.poll_interval)

    def send_and_wait(self, tx: TxParams, *, function: str | None = None) -> TxReceipt:
        """:meth:`send` then :meth:`wait`; ``function`` names the call in revert errors."""
        return self.wait(self.send(tx, function=function), function=function)

    def send_many(self, txs: Sequence[TxParams]) -> list[TxReceipt]:
        """Send all of ``txs`` (at most ``max_in_flight`` unconfirmed at once), then wait.

        Returns the receipts in order. Every transaction is waited for before the first
        error (for example a :class:`ContractRevert`) is raised.
        """
        hashes = [self.send(tx) for tx in txs]
        receipts: list[TxReceipt] = []
        first_error: Exception | None = None
        for tx_hash in hashes:
            try:
                receipts.append(self.wait(tx_hash))
            except (ContractRevert, TransactionError) as exc:
                first_error = first_error or exc
        if first_error is not None:
            raise first_error
        return receipts

    def _receipt(self, tx_hash: HexBytes) -> TxReceipt | None:
        try:
            return self.w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None
        except OSError as exc:
            raise NodeError(f"could not reach the node while waiting: {exc}") from exc

    def _is_stuck(self, pending: _Pending) -> bool:
        # Measured from the last confirmation too: behind a stuck nonce, later ones only wait.
        return time.monotonic() - max(pending.sent_at, self._last_progress) > self.stuck_after

    def _check_gap(self, pending: _Pending) -> None:
        """Fail fast when nothing of ours can ever fill the nonces below ``pending``'s."""
        mined = self.w3.eth.get_transaction_count(self.address, "latest")
        with self._lock:
            if pending.nonce <= mined or any(
                n in self._pending for n in range(mined, pending.nonce)
            ):
                return
            if self._pending.pop(pending.nonce, None) is not None:
                self._slots.release()
        raise TransactionError(
            f"nonce gap: {self.address} has {mined} mined transactions but this one has nonce "
            f"{pending.nonce}; the chain was reverted, the node lost transactions or another "
            "sender uses this account. Call resync() and send again."
        )

    def _replace(self, pending: _Pending) -> None:
        """Re-send ``pending``'s nonce with higher fees, so the node prefers the new version."""
        with self._lock:
            tx = pending.tx
            if "gasPrice" in tx:
                tx["gasPrice"] = max(self._bump(tx["gasPrice"]), self.w3.eth.gas_price)
            else:
                base_fee = self.w3.eth.get_block("latest").get("baseFeePerGas", 0)
                tx["maxPriorityFeePerGas"] = self._bump(tx["maxPriorityFeePerGas"])
                tx["maxFeePerGas"] = max(
                    self._bump(tx["maxFeePerGas"]), 2 * base_fee + tx["maxPriorityFeePerGas"]
                )
            pending.sent_at = time.monotonic()
            try:
                tx_hash = self._send_raw(tx)
            except Web3RPCError as exc:
                # Underpriced: the next round bumps again. Nonce too low: something was mined,
                # and the receipt loop finds out whether it was one of ours.
                if "underpriced" in str(exc) or "nonce too low" in str(exc):
                    return
                raise TransactionError(f"node refused replacement transaction: {exc}") from exc
            pending.hashes.append(tx_hash)
            self._by_hash[tx_hash] = pending.nonce

    def _bump(self, fee: int) -> int:
        return max(fee * (100 + self.fee_bump_percent) // 100, fee + 1)

    def _revert_from_receipt(self, receipt: TxReceipt, function: str | None) -> ContractRevert:
        """Recover the reason by replaying the transaction on the state before its block."""
        tx_hash = HexBytes(receipt["transactionHash"]).to_0x_hex()
        sent = self.w3.eth.get_transaction(receipt["transactionHash"])
        replay: dict[str, Any] = {"from": sent["from"], "data": sent["input"], "gas": sent["gas"]}
        replay["value"] = sent["value"]
        if sent.get("to"):
            replay["to"] = sent["to"]
        reason: str | None = None
        try:
            self.w3.eth.call(cast(TxParams, replay), receipt["blockNumber"] - 1)
        except (ContractLogicError, Web3RPCError) as exc:
            reason = revert_reason_from_error(exc)
        if reason:
            return ContractRevert(reason, function=function)
        if receipt["gasUsed"] >= sent["gas"]:
            return ContractRevert(f"transaction {tx_hash} ran out of gas", function=function)
        return ContractRevert(f"transaction {tx_hash} reverted without a reason", function=function)

    # -- calls -----------------------------------------------------------------------------

    def call(
        self, tx: TxParams, block: BlockIdentifier = "latest", *, function: str | None = None
    ) -> bytes:
        """Run ``tx`` with ``eth_call`` (from this account unless given); return the output.

        Raises :class:`ContractRevert` carrying the revert reason.
        """
        params: dict[str, Any] = dict(tx)
        params.setdefault("from", self.address)
        try:
            return bytes(self.w3.eth.call(cast(TxParams, params), block))
        except (ContractLogicError, Web3RPCError) as exc:
            raise _as_revert(exc, function) from exc


def _as_revert(
    exc: ContractLogicError | Web3RPCError, function: str | None = None
) -> ContractRevert | TransactionError:
    if isinstance(exc, ContractLogicError) or _REVERT_PREFIX in str(exc):
        reason = revert_reason_from_error(exc) or "execution reverted without a reason"
        return ContractRevert(reason, function=function)
    return TransactionError(f"node refused the transaction: {exc}")
