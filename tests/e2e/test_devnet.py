"""The real multi-process devnet, end to end: anvil, a blob server, three gatekeepers (t=2), two
workers and a relayer, each its own process talking HTTP, as ``veritee devnet up`` starts them.

One network for the whole module (per xdist worker). Tests that stop or kill a part restart it
before they end, except the last one, which kills worker-1 for good; the first one checks that
every part is healthy, and the others use worker-2 only, so any subset of the tests runs in file
order on one network.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hexbytes import HexBytes
from typer.testing import CliRunner

from tests.e2e.devnet_support import (
    PREDICT,
    REQUESTER,
    TOKEN,
    Devnet,
    delivery_of,
    devnet_running,
    wait_until,
)
from veritee.chain.types import JobId, JobStatus, ModelId
from veritee.cli.main import app
from veritee.crypto.envelope import X25519KeyPair
from veritee.devnet.processes import is_running
from veritee.devnet.state import ROLES
from veritee.exceptions import ContractRevert, DecryptionError, JobError, JobFailed
from veritee.models.builders import build_mlp
from veritee.models.datasets import synthetic_patients
from veritee.protocol import BatchRequest, SignedBatch
from veritee.sdk import SubmittedJob, VerifyOptions

pytestmark = pytest.mark.anvil

PARTS = {
    "anvil",
    "blobs",
    "gatekeeper-1",
    "gatekeeper-2",
    "gatekeeper-3",
    "worker-1",
    "worker-2",
    "relayer",
}


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    with devnet_running(tmp_path_factory.mktemp("devnet")) as network:
        # The SDK requester of these tests: a development account with tokens and no role.
        requester = network.account(REQUESTER).address
        network.network("admin").token.transfer(requester, 10_000 * TOKEN)
        yield network


@pytest.fixture(scope="module")
def settled_job(devnet: Devnet) -> SubmittedJob:
    """A predict job run by worker-2 and settled by the relayer."""
    with devnet.sdk() as sdk:
        job = sdk.submit(devnet.model_id, PREDICT, worker=devnet.worker("worker-2").enclave)
        assert sdk.wait(job.job_id, timeout=60).status is JobStatus.SETTLED
    return job


def _cli(*args: str) -> dict[str, Any]:
    """Runs ``veritee ARGS`` in this process; its one JSON document (exit status 0 required)."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, f"veritee {' '.join(args)}: {result.output}{result.exception!r}"
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    document: dict[str, Any] = json.loads(lines[-1])
    return document


@contextmanager
def _relayer_stopped(devnet: Devnet) -> Iterator[None]:
    """No relayer while the block runs (SIGTERM); the same relayer is started again after."""
    devnet.stop("relayer")
    try:
        yield
    finally:
        devnet.restart("relayer")


def _claimables(devnet: Devnet, accounts: list[str]) -> dict[str, int]:
    jobs = devnet.network(REQUESTER).jobs
    return {account: int(jobs.claimable(account)) for account in accounts}


# -- 1. the CLI against the devnet ------------------------------------------------------------


def test_status_is_healthy_and_the_cli_runs_a_capsule_job_end_to_end(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("VERITEE_HOME", str(home))
    where = ["--devnet", str(devnet.directory), "--json"]

    status = _cli("devnet", "status", "--dir", str(devnet.directory), "--json")
    assert status["healthy"] is True
    assert {part["name"] for part in status["parts"]} == PARTS
    for part in status["parts"]:
        assert part["running"] and part["healthy"], part
        assert part["pid"] == devnet.part(part["name"]).pid

    csv = tmp_path / "patients.csv"
    csv.write_bytes(synthetic_patients(200, seed=3))
    sealed = _cli("capsule", "seal", str(csv), "--content-type", "text/csv", *where)
    model = str(devnet.model_id)
    registered = _cli(
        "capsule", "register", sealed["capsule"], "--model", model, "--price", "5", *where
    )
    assert registered["sha256"] == sealed["sha256"]
    capsule_id = registered["capsule_id"]
    capsule = devnet.network(REQUESTER).capsules.capsule(capsule_id)
    assert capsule.price == 5 * TOKEN
    assert [int(m) for m in capsule.allowed_models] == [devnet.model_id]
    hospital = devnet.account(ROLES["hospital"]).address
    before = _claimables(devnet, [hospital])

    args = ["--model", model, "--capsule", str(capsule_id), "--wait", "--timeout", "60"]
    submitted = _cli("job", "submit", *args, *where)
    job_id = submitted["job"]["job_id"]
    result = submitted["result"]
    assert result["job_id"] == job_id and result["task"] == "aggregate"
    assert result["outputs"]["overall"]["rows"] == 200
    assert sum(result["outputs"]["overall"]["histogram"]) == 200
    key_file = Path(submitted["result_key_file"])
    assert key_file.parent == home / "job-keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert devnet.status(job_id) is JobStatus.SETTLED
    # The data owner was paid the capsule's price for this use.
    assert _claimables(devnet, [hospital])[hospital] - before[hospital] == 5 * TOKEN

    verified = _cli("verify", "job", str(job_id), *where)
    assert verified["ok"] is True
    checks = {check["name"]: check["status"] for check in verified["checks"]}
    assert set(checks) == {
        "settlement",
        "certificate",
        "quote",
        "policy",
        "result",
        "signature",
        "payments",
    }
    assert set(checks.values()) == {"pass"}, checks

    assert _cli("job", "result", str(job_id), *where) == result


# -- 5. a result read with another key ---------------------------------------------------------


def test_a_result_opens_only_with_the_jobs_own_key(
    devnet: Devnet, settled_job: SubmittedJob
) -> None:
    with devnet.sdk() as sdk:
        document = sdk.result(settled_job)
        assert document["job_id"] == settled_job.job_id
        assert 0.0 <= document["outputs"]["risk"][0][0] <= 1.0
        with pytest.raises(DecryptionError):
            sdk.result((settled_job.job_id, X25519KeyPair.generate()))


# -- 4. a relayer that tampers ------------------------------------------------------------------


def test_a_tampering_relayer_is_refused_and_nothing_is_paid(devnet: Devnet) -> None:
    worker = devnet.worker("worker-2")
    net = devnet.network(REQUESTER)
    jobs = net.jobs
    with _relayer_stopped(devnet), devnet.sdk() as sdk:
        job = sdk.submit(devnet.model_id, PREDICT, worker=worker.enclave)
        genuine = delivery_of(net, job.job_id)

        def deliver(**changes: Any) -> Any:
            body = dataclasses.replace(genuine, **changes).to_json()
            return devnet.http.post(f"{worker.url}/v1/jobs", json=body)

        # A changed delivery of a job the worker does not hold yet: refused, naming the field.
        forged_hash = hashlib.sha256(b"another input").digest()
        for field, value in (
            ("input_hash", forged_hash),
            ("result_key", X25519KeyPair.generate().public_bytes()),
            ("input_uri", genuine.input_uri.replace(genuine.input_hash.hex(), forged_hash.hex())),
        ):
            response = deliver(**{field: value})
            assert response.status_code == 409, response.text
            assert f"delivered {field} differs from the chain's" in response.json()["error"]
        assert devnet.http.get(f"{worker.url}/v1/jobs/{job.job_id}").status_code == 404

        # A job that was never submitted: refused, never held, and the chain knows nothing of it.
        phantom = jobs.job_count() + 1000
        response = deliver(job_id=phantom)
        assert response.status_code == 409 and "does not exist" in response.json()["error"]
        assert devnet.http.get(f"{worker.url}/v1/jobs/{phantom}").status_code == 404
        assert jobs.status(JobId(phantom)) is JobStatus.UNKNOWN

        # The genuine delivery is taken; a changed redelivery is still refused.
        response = deliver()
        assert response.status_code == 202, response.text
        response = deliver(result_key=X25519KeyPair.generate().public_bytes())
        assert response.status_code == 409
        assert "delivered result_key differs" in response.json()["error"]

        def finished() -> bool:
            view = devnet.http.get(f"{worker.url}/v1/jobs/{job.job_id}").json()
            return bool(view["state"] == "done")

        wait_until(finished, 30, f"job {job.job_id} to run on worker-2")
        # Acting as a relayer: a signed batch, leased to us (no other relayer runs).
        request = BatchRequest(relayer=net.address, max_results=100, lease_seconds=60)
        response = devnet.http.post(f"{worker.url}/v1/batches", json=request.to_json())
        assert response.status_code == 200, response.text
        batch = SignedBatch.from_json(response.json())
        batch.check(jobs.domain())
        assert batch.worker == worker.enclave and job.job_id in batch.job_ids

        operator = net.workers.worker(worker.enclave).operator
        payees = [operator, net.models.model(ModelId(devnet.model_id)).owner, jobs.treasury()]
        payees.append(net.address)
        before = (_claimables(devnet, payees), int(jobs.escrowed()))
        tampered: list[tuple[str, Any]] = [
            ("result_hash", hashlib.sha256(b"a forged result").digest()),
            ("result_uri", "http://127.0.0.1:1/blobs/" + "00" * 32),
            ("status", 5),
        ]
        for field, value in tampered:
            forged = tuple(
                dataclasses.replace(r, **{field: value}) if r.job_id == job.job_id else r
                for r in batch.results
            )
            with pytest.raises(ContractRevert, match="Jobs: invalid result signature"):
                jobs.settle(batch.worker, forged, batch.signature)
        assert jobs.status(JobId(job.job_id)) is JobStatus.PENDING
        assert (_claimables(devnet, payees), int(jobs.escrowed())) == before
        assert devnet.conserved()

        # The batch as the enclave signed it settles, whoever sends it.
        receipt = jobs.settle(batch.worker, list(batch.results), batch.signature)
        assert receipt["status"] == 1
        assert jobs.status(JobId(job.job_id)) is JobStatus.SETTLED
        assert sdk.result(job)["job_id"] == job.job_id
        platform_key = bytes.fromhex(devnet.state.platform_key)
        report = sdk.verify(job.job_id, VerifyOptions(simulated_platform_keys=[platform_key]))
        assert report.ok, report.summary()
    assert len(devnet.events("JobSettled", job.job_id)) == 1


# -- 3. the relayer killed mid-batch and restarted --------------------------------------------


def test_a_relayer_killed_mid_batch_and_restarted_settles_every_job_exactly_once(
    devnet: Devnet,
) -> None:
    worker = devnet.worker("worker-2")
    relayer = devnet.account(ROLES["relayer"]).address
    with devnet.sdk() as sdk:
        first = [
            sdk.submit(devnet.model_id, PREDICT, worker=worker.enclave).job_id for _ in range(5)
        ]

        def relaying() -> bool:
            views = [devnet.http.get(f"{worker.url}/v1/jobs/{j}") for j in first]
            return any(view.status_code == 200 for view in views)

        try:
            # Kill it while it works on the first wave: at least one job is delivered.
            wait_until(relaying, 20, "the relayer to deliver a job", pause=0.02)
            devnet.kill("relayer")
            at_kill = {job_id: devnet.status(job_id).name for job_id in first}
            second = [
                sdk.submit(devnet.model_id, PREDICT, worker=worker.enclave).job_id for _ in range(5)
            ]
        finally:
            devnet.restart("relayer")
    job_ids = first + second
    # Normally seconds; had the kill fallen between a batch's lease and its transaction, the
    # worker offers those results again only when the dead relayer's lease (60 s) runs out.
    statuses = devnet.wait_final(job_ids, timeout=100)
    assert set(statuses.values()) == {JobStatus.SETTLED}, (statuses, at_kill)
    for job_id in job_ids:
        settled = devnet.events("JobSettled", job_id)
        assert len(settled) == 1, (job_id, settled, at_kill)
        assert devnet.events("JobFailed", job_id) == []
        assert devnet.events("JobExpired", job_id) == []
        sender = devnet.backend.w3.eth.get_transaction(HexBytes(settled[0].transaction_hash))[
            "from"
        ]
        assert sender == relayer
    assert devnet.conserved()
    assert is_running(devnet.part("relayer"))


# -- 6. a model artifact that does not match the registry --------------------------------------


def test_a_model_artifact_not_matching_its_registered_hash_fails_the_job_with_code_3(
    devnet: Devnet,
) -> None:
    artifact = build_mlp(6, 4, 1, seed=11)
    digest = devnet.blobs.put(artifact)
    uri = devnet.blobs.uri(digest)
    registered_hash = hashlib.sha256(build_mlp(6, 4, 1, seed=12)).digest()
    assert registered_hash.hex() != digest
    builder = devnet.network("model-builder")
    model_id = builder.models.register("tampered", "1.0", registered_hash, "onnx", uri, TOKEN)
    devnet.network("admin").models.verify(model_id)

    # The operator of worker-2 adds the model to its configuration and restarts it: the same
    # sealed identity comes back (data_dir), on the same port, and announces the new model.
    worker = devnet.worker("worker-2")
    config_path = devnet.worker_config("worker-2")
    config = json.loads(config_path.read_text())
    config["models"] = [devnet.model_id, int(model_id)]
    config["port"] = int(worker.url.rsplit(":", 1)[1])
    devnet.stop("worker-2")
    config_path.write_text(json.dumps(config, indent=2))
    devnet.restart("worker-2")
    assert devnet.worker("worker-2") == worker
    net = devnet.network(REQUESTER)
    assert int(model_id) in net.workers.worker(worker.enclave).models

    operator = net.workers.worker(worker.enclave).operator
    accounts = [net.address, operator, builder.address]
    with devnet.sdk() as sdk:
        price = sdk.quote(model_id, worker=worker.enclave).total
        before = _claimables(devnet, accounts)
        job = sdk.submit(model_id, PREDICT, worker=worker.enclave, max_fee=price + 2 * TOKEN)
        info = sdk.wait(job.job_id, timeout=60)
        assert info.status is JobStatus.FAILED
        with pytest.raises(JobFailed) as failure:
            sdk.result(job)
    assert failure.value.code == 3
    assert "model" in failure.value.reason
    (event,) = devnet.events("JobFailed", job.job_id)
    assert event.args["reason"] == 3 and event.args["refund"] == job.max_fee
    after = _claimables(devnet, accounts)
    assert after[net.address] - before[net.address] == job.max_fee  # refunded in full
    assert after[operator] == before[operator] and after[builder.address] == before[builder.address]
    assert devnet.conserved()


# -- 2. a worker killed mid-job (last: worker-1 stays dead) -------------------------------------


def test_a_worker_killed_mid_job_is_slashed_and_the_requester_refunded(devnet: Devnet) -> None:
    worker = devnet.worker("worker-1")
    net = devnet.network(REQUESTER)
    relayer = devnet.account(ROLES["relayer"]).address
    bond_before = int(net.workers.worker(worker.enclave).bond)
    with devnet.sdk() as sdk:
        price = sdk.quote(devnet.model_id, worker=worker.enclave).total
        claim_before = int(net.jobs.claimable(net.address))
        with _relayer_stopped(devnet):
            job = sdk.submit(
                devnet.model_id,
                PREDICT,
                worker=worker.enclave,
                max_fee=price + 3 * TOKEN,
                deadline_seconds=30,
            )
            # The worker takes the job (sealed into its state), then dies before any relayer
            # collects its result.
            response = devnet.http.post(
                f"{worker.url}/v1/jobs", json=delivery_of(net, job.job_id).to_json()
            )
            assert response.status_code == 202, response.text
            devnet.kill("worker-1")
        assert net.jobs.status(JobId(job.job_id)) is JobStatus.PENDING
        devnet.backend.advance_time(60)  # past the deadline
        # The relayer (expire_overdue) expires it, earning the slasher reward.
        devnet.wait_final([job.job_id], timeout=30)
        with pytest.raises(JobError, match="expired"):
            sdk.result(job)
        platform_key = bytes.fromhex(devnet.state.platform_key)
        report = sdk.verify(job.job_id, VerifyOptions(simulated_platform_keys=[platform_key]))
    assert report.ok, report.summary()
    assert net.jobs.status(JobId(job.job_id)) is JobStatus.EXPIRED
    (event,) = devnet.events("JobExpired", job.job_id)
    slashed = int(event.args["slashed"])
    assert event.args["caller"] == relayer
    assert event.args["refund"] == job.max_fee == price + 3 * TOKEN
    assert slashed == min(bond_before, 50 * TOKEN) > 0
    assert int(net.jobs.claimable(net.address)) - claim_before == job.max_fee
    assert int(net.workers.worker(worker.enclave).bond) == bond_before - slashed
    assert devnet.conserved()
    assert not is_running(devnet.part("worker-1"))
    # The refund is the requester's to withdraw.
    balance = int(net.token.balance_of(net.address))
    net.jobs.claim()
    assert int(net.token.balance_of(net.address)) == balance + claim_before + job.max_fee
