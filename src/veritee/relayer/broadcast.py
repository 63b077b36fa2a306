"""A transaction sender that writes a settlement's hash to the store before broadcasting it.

Signing is deterministic (RFC 6979), so the hash of a signed transaction is known before the
node sees it. Recording it first means that a relayer killed at any point after the broadcast
finds the transaction again on restart by its hash, instead of guessing whether it was sent.
Fee-bumped replacements of a stuck settlement are recorded the same way, under the same nonce.
"""

from __future__ import annotations

import threading
from typing import Any

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.types import TxParams

from veritee.chain.sender import TransactionSender
from veritee.relayer.store import RelayerStore

__all__ = ["RecordingSender"]


class RecordingSender(TransactionSender):
    """:class:`TransactionSender` plus a write-ahead record of settlement transactions.

    Transactions sent with :meth:`send_for` (and their replacements) are recorded against a
    submission; those sent with :meth:`send` (expiries) are not.
    """

    def __init__(
        self, w3: Web3, account: LocalAccount, store: RelayerStore, **options: Any
    ) -> None:
        super().__init__(w3, account, **options)
        self._store = store
        self._local = threading.local()
        self._submission_of_nonce: dict[int, int] = {}

    def send_for(
        self, submission_id: int, tx: TxParams, *, function: str | None = None
    ) -> HexBytes:
        """Sends ``tx`` for a recorded submission, recording its hash before it leaves."""
        self._local.submission = submission_id
        try:
            return self.send(tx, function=function)
        finally:
            self._local.submission = None

    def release(self, submission_id: int) -> None:
        """Stops recording replacements for a finished submission."""
        with self._lock:
            for nonce in [n for n, s in self._submission_of_nonce.items() if s == submission_id]:
                del self._submission_of_nonce[nonce]

    def _send_raw(self, filled: dict[str, Any]) -> HexBytes:
        # Called with the sender's lock held, for first sends and for fee-bumped replacements.
        nonce = int(filled["nonce"])
        submission = getattr(self._local, "submission", None)
        if submission is None:
            submission = self._submission_of_nonce.get(nonce)
        if submission is not None:
            self._submission_of_nonce[nonce] = submission
            tx_hash = HexBytes(self.account.sign_transaction(filled).hash).to_0x_hex()
            self._store.record_broadcast(submission, nonce, tx_hash)
        return super()._send_raw(filled)
