"""What a gatekeeper reads from the chain, pinned to one confirmed block and cached per block.

Every key-release decision reads the job, the capsule, the worker and its certification at one
block, ``latest - confirmations``: a consistent snapshot that a short reorganisation cannot undo
(DESIGN §2 treats what one RPC says as a claim; confirmations make it a settled one). State at a
given block never changes, so answers are cached by block hash: a burst of requests within one
block costs one round of chain reads, and the next block (a new hash) reads afresh, so a change
on-chain (a worker revoked, a job settled) counts from the first decision pinned past it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from hexbytes import HexBytes
from web3.exceptions import BlockNotFound, Web3Exception
from web3.types import RPCEndpoint

from veritee.chain.clients import CapsuleInfo, JobInfo, Network, WorkerInfo
from veritee.chain.types import CapsuleId, JobId
from veritee.exceptions import AccessDenied, ChainError, ContractRevert

__all__ = ["BlockFacts", "ChainView"]

T = TypeVar("T")


@dataclass(frozen=True)
class BlockFacts:
    """The pinned block a decision reads the chain at."""

    number: int
    hash: bytes
    timestamp: int


class ChainView:
    """Reads through ``network`` at ``latest - confirmations``, remembering answers per block."""

    def __init__(
        self,
        network: Network,
        confirmations: int,
        *,
        head_max_age: float = 0.0,
        cache_size: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.network = network
        self.w3 = network.w3
        self.confirmations = confirmations
        self.head_max_age = head_max_age
        self._clock = clock
        self._head: tuple[float, BlockFacts] | None = None
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _cached(self, key: tuple[Any, ...], load: Callable[[], T]) -> T:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]  # type: ignore[no-any-return]
        value = load()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return value

    def _header(self, tag: str) -> BlockFacts:
        # Every decision starts here, so this skips web3's result formatters (most of the cost
        # of a block read) and takes the three fields it needs from the raw JSON-RPC answer.
        try:
            response = self.w3.provider.make_request(
                RPCEndpoint("eth_getBlockByNumber"), [tag, False]
            )
            result = response.get("result")
            if not isinstance(result, dict):
                raise ValueError(response.get("error") or "no such block")
            return BlockFacts(
                _quantity(result["number"]), _data(result["hash"]), _quantity(result["timestamp"])
            )
        except (Web3Exception, OSError, ValueError, KeyError, TypeError) as exc:
            raise ChainError(f"cannot read block {tag} from the chain: {exc}") from exc

    def answers_cached(self, *keys: tuple[str, Any]) -> bool:
        """Whether deciding now would read nothing from the chain: the pinned head needs no
        re-read, and the answers ``keys`` name (``("job", id)``, ``("capsule", id)``,
        ``("worker", enclave)``, ``("certified", enclave)``) are cached at it.

        Never true with ``head_max_age`` 0 (every decision reads the head).
        """
        cached = self._head
        if cached is None or self._clock() - cached[0] >= self.head_max_age:
            return False
        block = cached[1]
        with self._lock:
            return all((kind, block.hash, key) in self._cache for kind, key in keys)

    def pinned(self) -> BlockFacts:
        """The block decisions read at now: ``latest - confirmations`` (at least 0).

        With ``head_max_age`` > 0 the answer is reused for that many seconds, so a burst of
        requests costs one head read, not one each (a view at most that much older than the
        chain; confirmations already make it several blocks older).
        """
        cached = self._head
        if cached is not None and self._clock() - cached[0] < self.head_max_age:
            return cached[1]
        read_at = self._clock()
        head = self._header("latest")
        if self.confirmations:
            head = self._header(hex(max(0, head.number - self.confirmations)))
        self._head = (read_at, head)
        return head

    # The pinned clients are made inside the loaders: a cache hit costs one dictionary lookup.

    def job(self, block: BlockFacts, job_id: int) -> JobInfo | None:
        """The job at ``block`` (None if the chain has no such job)."""
        jobs = self.network.jobs
        return self._cached(
            ("job", block.hash, job_id),
            lambda: _or_none(lambda: jobs.at_block(block.number).job(JobId(job_id))),
        )

    def capsule(self, block: BlockFacts, capsule_id: int) -> CapsuleInfo | None:
        """The capsule at ``block`` (None if the chain has no such capsule)."""
        capsules = self.network.capsules
        return self._cached(
            ("capsule", block.hash, capsule_id),
            lambda: _or_none(
                lambda: capsules.at_block(block.number).capsule(CapsuleId(capsule_id))
            ),
        )

    def worker(self, block: BlockFacts, enclave: str) -> WorkerInfo | None:
        """The worker's record and announced keys at ``block``."""
        workers = self.network.workers
        return self._cached(
            ("worker", block.hash, enclave),
            lambda: _or_none(lambda: workers.at_block(block.number).worker(enclave)),
        )

    def is_certified(self, block: BlockFacts, enclave: str) -> bool:
        """The Workers contract's own verdict at ``block`` (registered, unexpired, admitted)."""
        workers = self.network.workers
        return self._cached(
            ("certified", block.hash, enclave),
            lambda: workers.at_block(block.number).is_certified(enclave),
        )

    def fresh_block(self, block_hash: bytes, max_age: int) -> BlockFacts:
        """The block whose hash is ``block_hash`` if it is canonical and at most ``max_age`` old.

        Raises :class:`AccessDenied` otherwise: a worker's attestation nonce must be the hash of
        a recent block, which proves the quote was made no earlier than that block.
        """
        try:
            block = self.w3.eth.get_block(HexBytes(block_hash))
            number = int(block["number"])
            latest = int(self.w3.eth.block_number)
            canonical = bytes(self.w3.eth.get_block(number)["hash"])
        except (BlockNotFound, Web3Exception, ValueError, KeyError, TypeError) as exc:
            raise AccessDenied(
                "stale nonce", "the nonce is not the hash of a block on this gatekeeper's chain"
            ) from exc
        if canonical != bytes(block_hash):
            raise AccessDenied("stale nonce", "the nonce block is not on the canonical chain")
        if latest - number > max_age:
            raise AccessDenied(
                "stale nonce",
                f"the nonce block is {latest - number} blocks old (at most {max_age} allowed)",
            )
        return BlockFacts(number, bytes(block_hash), int(block["timestamp"]))


def _quantity(value: Any) -> int:
    return value if isinstance(value, int) else int(str(value), 16)


def _data(value: Any) -> bytes:
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


def _or_none(read: Callable[[], T]) -> T | None:
    """The contracts answer zeros for unknown ids; a revert also means "no such object"."""
    try:
        return read()
    except ContractRevert:
        return None
