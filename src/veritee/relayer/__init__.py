"""The relayer (pherry's role): jobs from chain events to workers, signed results to the chain.

Untrusted by design and safe to run many at once: it follows ``JobSubmitted`` a few blocks
behind the head, delivers each job to its worker's on-chain endpoint with retries, asks workers
for batches of results signed by their enclave keys, checks each batch before paying gas, and
settles it with ``Jobs.settle``. It holds no secret but its gas account; everything it carries
is encrypted or signed by someone else. See docs/relayer.md.
"""

from veritee.relayer.config import RelayerConfig
from veritee.relayer.policy import BatchPlan, DeliveryOutcome, RetryPolicy
from veritee.relayer.service import Relayer, RelayerThread, TickReport, serve
from veritee.relayer.store import RelayerStore

__all__ = [
    "BatchPlan",
    "DeliveryOutcome",
    "Relayer",
    "RelayerConfig",
    "RelayerStore",
    "RelayerThread",
    "RetryPolicy",
    "TickReport",
    "serve",
]
