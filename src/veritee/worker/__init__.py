"""veritee.worker: the TEE runtime, one process per TEE machine (docs/worker.md).

- :class:`WorkerConfig` (settings: argument > ``VERITEE_WORKER_*`` > default);
- :class:`WorkerNode` (boot, attestation and registration, job intake and execution, batches,
  sealed state, graceful shutdown; no HTTP) and :func:`create_app` (its HTTP API, docs/jobs.md);
- :class:`WorkerServer` (serve a node from a background thread) and :func:`serve` (the daemon
  behind ``veritee worker run``);
- the pure parts: :func:`check_delivery` (a delivery against the chain's record),
  :class:`ResultBook` (results, leases, settlement), :func:`failure_for` (an error in a phase to a
  :class:`FailureCode`), :func:`plan_registration`.
"""

from veritee.models.tasks import FailureCode
from veritee.worker.admission import check_delivery, differing_field
from veritee.worker.config import WorkerConfig
from veritee.worker.enclave import EnclaveIdentity, sealing_key_name
from veritee.worker.executor import JobOutcome, JobPipeline
from veritee.worker.node import WorkerNode
from veritee.worker.phases import Phase, failure_for
from veritee.worker.registration import RegistrationPlan, plan_registration
from veritee.worker.results import JobRecord, ResultBook
from veritee.worker.server import WorkerServer, serve, serve_async
from veritee.worker.service import create_app

__all__ = [
    "EnclaveIdentity",
    "FailureCode",
    "JobOutcome",
    "JobPipeline",
    "JobRecord",
    "Phase",
    "RegistrationPlan",
    "ResultBook",
    "WorkerConfig",
    "WorkerNode",
    "WorkerServer",
    "check_delivery",
    "create_app",
    "differing_field",
    "failure_for",
    "plan_registration",
    "sealing_key_name",
    "serve",
    "serve_async",
]
