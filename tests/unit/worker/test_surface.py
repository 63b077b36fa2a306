"""Pins veritee.worker's public surface: adding or removing a name must be deliberate."""

import veritee.worker


def test_worker_surface() -> None:
    assert sorted(veritee.worker.__all__) == sorted(
        [
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
    )
    for name in veritee.worker.__all__:
        assert hasattr(veritee.worker, name)
    assert veritee.worker.FailureCode.MODEL_UNAVAILABLE == 3  # docs/jobs.md names it here
