"""Which enclave identity this process runs as: the one sealed by the last run, or a new one.

A fresh identity is generated and certified first, because only a certified enclave of this
measurement can obtain the sealing key ``seal:<measurement>`` from the gatekeepers. With that
key the sealed state of a previous run (if any) is opened: its identity, whose bond is on-chain
and whose results are unsettled, is the one to resume, so it is re-attested and certified in
turn and the fresh one is dropped unused. Without sealed state the fresh identity is the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import to_canonical_address

from veritee.exceptions import ConfigError
from veritee.gatekeeper.outcomes import CertificateBundle
from veritee.worker.certification import Certification
from veritee.worker.enclave import EnclaveIdentity
from veritee.worker.results import JobRecord
from veritee.worker.state import SealedStateFile, state_context

__all__ = ["BootedEnclave", "establish_identity"]

_log = logging.getLogger(__name__)


@dataclass
class BootedEnclave:
    """The identity to run as, its fresh certificate, its state file and the jobs it had."""

    identity: EnclaveIdentity
    bundle: CertificateBundle
    state_file: SealedStateFile
    records: list[JobRecord]
    resumed: bool


async def establish_identity(
    certification: Certification,
    *,
    state_path: Path,
    operator: str,
    offload: Callable[..., Awaitable[Any]],
) -> BootedEnclave:
    """Resume the identity sealed at ``state_path``, or start a new one (module docstring).

    Raises :class:`ConfigError` when the state cannot be opened by this code or belongs to
    another operator.
    """
    fresh = EnclaveIdentity.generate()
    bundle = await certification.certify(fresh)
    key = await certification.sealing_key(fresh, bundle)
    context = state_context(
        certification.chain_id,
        certification.network.workers.address,
        bundle.certificate.measurement,
    )
    state_file = SealedStateFile(state_path, key, context)
    saved = await offload(state_file.load)
    if saved is None:
        _log.info("new enclave %s", fresh.address)
        return BootedEnclave(fresh, bundle, state_file, [], resumed=False)
    if to_canonical_address(saved.operator) != to_canonical_address(operator):
        raise ConfigError(
            f"the sealed worker state belongs to operator {saved.operator}, not to the "
            f"configured {operator}"
        )
    _log.info("resuming enclave %s with %d jobs", saved.identity.address, len(saved.records))
    bundle = await certification.certify(saved.identity)
    return BootedEnclave(saved.identity, bundle, state_file, list(saved.records), resumed=True)
