"""The client-level suite: typed clients against a real deployment, on both backends.

Every test runs against the embedded in-process chain and against anvil; each starts from the
same deployed state (a chain snapshot taken after deployment and reverted after each test).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import pytest
from eth_utils import keccak

from veritee.chain import AnvilDevnet, ChainBackend, EmbeddedChain
from veritee.chain.clients import JobRequest, Network
from veritee.chain.deployment import ContractRecord, Deployment, check_deployment
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.chain.types import JobId, JobStatus, ModelId, ModelStatus, WorkerStatus
from veritee.crypto.typed_data import JobResult, address_of, batch_digest, sign_digest
from veritee.exceptions import ContractRevert, DeploymentError

TOKEN = 10**18
OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER, KEEPER = 1, 2, 3, 4, 5
ENCLAVE_KEY = keccak(b"client-suite enclave key")
R_POINT = (
    0xC6047F9441ED7D6D3045406E95C07CD85C778E4B8CEF3CA7ABAC09B95C709EE5,
    0x1AE168FEA63DC339A3C58419466CEAEEF7F632653266D0E1236431A950CFE52A,
)


@pytest.fixture(scope="module", params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def devnet(request: pytest.FixtureRequest) -> Iterator[DevNetwork]:
    backend: ChainBackend = EmbeddedChain() if request.param == "embedded" else AnvilDevnet()
    with backend:
        network = deploy_dev_network(backend)
        admin = network.network(0)
        for index in (OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER):
            admin.token.transfer(backend.accounts[index].address, 10_000 * TOKEN)
        yield network


@pytest.fixture
def net(devnet: DevNetwork) -> Iterator[DevNetwork]:
    snapshot = devnet.backend.snapshot()
    yield devnet
    devnet.backend.revert(snapshot)
    devnet.resync()


def _model(net: DevNetwork, price: int = 20 * TOKEN) -> ModelId:
    owner = net.network(MODEL_OWNER)
    model_id = owner.models.register("risk", "1.0", keccak(b"onnx"), "onnx", "blob://m", price)
    net.network(0).models.verify(model_id)
    return model_id


def _worker(net: DevNetwork, models: list[int], price: int = 10 * TOKEN) -> str:
    operator = net.network(OPERATOR)
    certificate = net.certificate(ENCLAVE_KEY, operator.address)
    signatures = net.sign_certificate(certificate)
    bond = operator.workers.min_bond()
    operator.token.approve(operator.workers.address, bond)
    operator.workers.register(certificate, signatures, "http://127.0.0.1:1", price, models, bond)
    return certificate.enclave


def _request(net: DevNetwork, worker: str, model_id: ModelId, **changes: object) -> JobRequest:
    request = JobRequest(
        worker=worker,
        model_id=model_id,
        input_hash=keccak(b"input"),
        input_uri="blob://input",
        result_key=keccak(b"result key"),
        max_fee=100 * TOKEN,
        deadline=net.now() + 3_600,
    )
    return dataclasses.replace(request, **changes)  # type: ignore[arg-type]


def _submit(net: DevNetwork, request: JobRequest) -> JobId:
    requester = net.network(REQUESTER)
    requester.token.approve(requester.jobs.address, request.max_fee)
    return requester.jobs.submit(request)


def _settle(net: DevNetwork, results: list[JobResult], key: bytes = ENCLAVE_KEY) -> None:
    admin = net.network(KEEPER)
    signature = sign_digest(key, batch_digest(admin.jobs.domain(), address_of(key), results))
    admin.jobs.settle(address_of(ENCLAVE_KEY), results, signature)


def test_deployment_record_round_trips_and_matches_chain(net: DevNetwork) -> None:
    record = Deployment.from_json(net.deployment.to_json())
    assert record == net.deployment
    check_deployment(net.backend.w3, record)
    assert Network.connect(net.backend.w3, record).jobs.treasury() == net.sender(0).address


def test_deployment_record_for_other_code_is_refused(net: DevNetwork) -> None:
    contracts = dict(net.deployment.contracts)
    contracts["Jobs"] = ContractRecord(contracts["Token"].address, contracts["Jobs"].code_hash)
    forged = dataclasses.replace(net.deployment, contracts=contracts)
    with pytest.raises(DeploymentError, match=r"code at Jobs address .* does not match"):
        check_deployment(net.backend.w3, forged)
    with pytest.raises(DeploymentError, match="is for chain 5"):
        check_deployment(net.backend.w3, dataclasses.replace(net.deployment, chain_id=5))


def test_model_registration_and_verification(net: DevNetwork) -> None:
    model_id = _model(net)
    info = net.network(0).models.model(model_id)
    assert info.status is ModelStatus.VERIFIED
    assert info.owner == net.sender(MODEL_OWNER).address
    assert (info.name, info.version, info.format, info.price) == ("risk", "1.0", "onnx", 20 * TOKEN)


def test_worker_certificate_digest_matches_contract_and_registers(net: DevNetwork) -> None:
    model_id = _model(net)
    operator = net.network(OPERATOR)
    certificate = net.certificate(ENCLAVE_KEY, operator.address)
    from veritee.crypto.typed_data import certificate_digest

    python_digest = certificate_digest(operator.workers.domain(), certificate)
    assert python_digest == operator.workers.certificate_digest(certificate)
    worker = _worker(net, [model_id])
    info = operator.workers.worker(worker)
    assert info.status is WorkerStatus.ACTIVE
    assert info.models == (model_id,)
    assert info.measurement == net.measurement
    assert (info.x25519_key, info.quote_hash) == (certificate.x25519_key, certificate.quote_hash)
    assert info.endpoint == "http://127.0.0.1:1"
    operator.workers.set_endpoint(worker, "http://127.0.0.1:2")
    assert operator.workers.worker(worker).endpoint == "http://127.0.0.1:2"
    assert operator.workers.is_certified(worker)


def test_full_job_flow_pays_every_party(net: DevNetwork) -> None:
    model_id = _model(net)
    worker = _worker(net, [model_id])
    capsule_owner = net.network(CAPSULE_OWNER)
    capsule_id = capsule_owner.capsules.register(
        keccak(b"ciphertext"), "blob://c", R_POINT, [model_id], price=5 * TOKEN
    )
    job_id = _submit(net, _request(net, worker, model_id, capsule_ids=(capsule_id,)))
    jobs = net.network(0).jobs
    info = jobs.job(job_id)
    assert info.status is JobStatus.PENDING
    assert info.price == 35 * TOKEN + 35 * TOKEN * 500 // 10_000
    submitted = jobs.events("JobSubmitted", argument_filters={"job_id": job_id})
    assert submitted[0].args["capsule_ids"] == [capsule_id]

    _settle(net, [JobResult(job_id, keccak(b"result"), "blob://result")])
    assert jobs.status(job_id) is JobStatus.SETTLED
    settled = jobs.events("JobSettled")[0].args
    assert settled["result_hash"] == keccak(b"result")
    assert jobs.claimable(net.sender(MODEL_OWNER).address) == 20 * TOKEN
    assert jobs.claimable(net.sender(CAPSULE_OWNER).address) == 5 * TOKEN
    assert jobs.claimable(net.sender(OPERATOR).address) == 10 * TOKEN
    refund = 100 * TOKEN - info.price
    requester = net.network(REQUESTER)
    assert requester.jobs.claimable(requester.address) == refund
    before = requester.token.balance_of(requester.address)
    requester.jobs.claim()
    assert requester.token.balance_of(requester.address) == before + refund
    assert capsule_owner.capsules.capsule(capsule_id).uses == 1
    assert jobs.escrowed() + jobs.total_claimable() == net.network(0).token.balance_of(jobs.address)


def test_submit_with_permit_needs_no_approval(net: DevNetwork) -> None:
    model_id = _model(net)
    worker = _worker(net, [model_id])
    requester = net.network(REQUESTER)
    request = _request(net, worker, model_id)
    permit = requester.token.sign_permit(
        bytes(net.backend.accounts[REQUESTER].key),
        requester.address,
        requester.jobs.address,
        request.max_fee,
        net.now() + 600,
    )
    job_id = requester.jobs.submit_with_permit(request, permit)
    assert requester.jobs.job(job_id).requester == requester.address


def test_reverts_carry_contract_and_reason(net: DevNetwork) -> None:
    model_id = _model(net)
    worker = _worker(net, [model_id])
    with pytest.raises(ContractRevert) as caught:
        _submit(net, _request(net, worker, model_id, max_fee=TOKEN))
    assert (caught.value.contract, caught.value.reason) == ("Jobs", "max fee below price")
    job_id = _submit(net, _request(net, worker, model_id))
    with pytest.raises(ContractRevert, match="Jobs: invalid result signature"):
        _settle(net, [JobResult(job_id, keccak(b"r"), "blob://r")], key=keccak(b"impostor"))
    with pytest.raises(ContractRevert, match="Workers: worker does not serve model"):
        _submit(net, _request(net, worker, ModelId(model_id + 1)))


def test_expired_job_refunds_requester_and_slashes_worker(net: DevNetwork) -> None:
    model_id = _model(net)
    worker = _worker(net, [model_id])
    job_id = _submit(net, _request(net, worker, model_id))
    keeper = net.network(KEEPER)
    with pytest.raises(ContractRevert, match="Jobs: deadline not passed"):
        keeper.jobs.expire(job_id)
    net.backend.advance_time(3_601)
    bond = keeper.workers.worker(worker).bond
    keeper.jobs.expire(job_id)
    assert keeper.jobs.status(job_id) is JobStatus.EXPIRED
    assert keeper.jobs.claimable(net.sender(REQUESTER).address) == 100 * TOKEN
    assert keeper.workers.worker(worker).bond == bond - 50 * TOKEN
    assert keeper.jobs.claimable(keeper.address) == 5 * TOKEN


def test_python_batch_digest_matches_contract(net: DevNetwork) -> None:
    jobs = net.network(0).jobs
    results = [
        JobResult(i, keccak(i.to_bytes(4, "big")), "blob://" + "x" * i, i % 3) for i in range(10)
    ]
    worker = address_of(ENCLAVE_KEY)
    assert batch_digest(jobs.domain(), worker, results) == jobs.batch_digest(worker, results)


def test_concurrent_submissions_share_one_sender(net: DevNetwork) -> None:
    model_id = _model(net, price=0)
    worker = _worker(net, [model_id], price=0)
    requester = net.network(REQUESTER)
    requester.token.approve(requester.jobs.address, 10**30)
    ids: list[JobId] = []
    errors: list[BaseException] = []

    def submit_some() -> None:
        try:
            for _ in range(5):
                ids.append(requester.jobs.submit(_request(net, worker, model_id, max_fee=TOKEN)))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=submit_some) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(ids) == list(range(1, 31))
