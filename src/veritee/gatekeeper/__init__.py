"""veritee.gatekeeper: threshold key management and worker certification.

- :class:`GatekeeperConfig` (settings), :class:`GatekeeperNode` (the logic, no HTTP),
  :func:`create_app` / :class:`GatekeeperServer` / ``veritee gatekeeper run`` (the HTTP API);
- :class:`GatekeeperClient` / :class:`SyncGatekeeperClient`: a worker's side (certification,
  capsule keys, named keys), with per-gatekeeper :class:`GatekeeperOutcome` reports;
- :func:`run_dkg`: the untrusted relay that runs the DKG and publishes the network key;
  :func:`run_reshare`: the same relay resharing that key to a new set or threshold;
- the pure policy: :func:`decide_capsule_release`, :func:`decide_named_key` and :class:`Denial`;
- :class:`LocalGatekeepers`: development gatekeepers served from one process.
"""

from veritee.gatekeeper.certificates import CertificateGrant, CertifyRequest
from veritee.gatekeeper.certify import WORKER_REPORT_DOMAIN
from veritee.gatekeeper.client import GatekeeperClient, SyncGatekeeperClient
from veritee.gatekeeper.config import GatekeeperConfig
from veritee.gatekeeper.dkg_orchestrator import DkgResult, run_dkg, run_dkg_async
from veritee.gatekeeper.local import LocalGatekeepers
from veritee.gatekeeper.node import GatekeeperNode
from veritee.gatekeeper.outcomes import (
    CertificateBundle,
    GatekeeperEndpoint,
    GatekeeperOutcome,
    KeyRelease,
    OutcomeKind,
)
from veritee.gatekeeper.policy import (
    Decision,
    Denial,
    decide_capsule_release,
    decide_named_key,
    parse_key_name,
)
from veritee.gatekeeper.reshare_orchestrator import ReshareResult, run_reshare, run_reshare_async
from veritee.gatekeeper.server import GatekeeperServer, serve
from veritee.gatekeeper.service import create_app

__all__ = [
    "WORKER_REPORT_DOMAIN",
    "CertificateBundle",
    "CertificateGrant",
    "CertifyRequest",
    "Decision",
    "Denial",
    "DkgResult",
    "GatekeeperClient",
    "GatekeeperConfig",
    "GatekeeperEndpoint",
    "GatekeeperNode",
    "GatekeeperOutcome",
    "GatekeeperServer",
    "KeyRelease",
    "LocalGatekeepers",
    "OutcomeKind",
    "ReshareResult",
    "SyncGatekeeperClient",
    "create_app",
    "decide_capsule_release",
    "decide_named_key",
    "parse_key_name",
    "run_dkg",
    "run_dkg_async",
    "run_reshare",
    "run_reshare_async",
    "serve",
]
