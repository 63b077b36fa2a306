"""Gas per job: submit, settle at batch sizes 1/10/100, and certified worker registration.

Measured on anvil (the same EVM gas schedule as mainnet). Every job uses one verified model and
one capsule, the common case. Settlement and registration are measured in steady state: a
warm-up batch first credits every payee once, and a warm-up worker makes the first bond deposit,
as on a network that is already running (a first-ever credit to an account, or the first token
balance of a contract, costs an extra ~17k gas for the fresh storage slot, once).

Figures are printed with ratios against a baseline measured in the same run (a plain ERC-20
`transfer` of the same token) and against the targets (settlement <= 40k gas per job at batch
100, worker certification <= 150k gas). The last line is one JSON object.

Run: `.venv/bin/python bench/gas.py` (needs anvil: `veritee devnet install-anvil`).
"""

from __future__ import annotations

import json
import sys

from eth_utils import keccak

from veritee.chain import AnvilDevnet
from veritee.chain.clients import JobRequest, Network
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.chain.types import CapsuleId, JobId, ModelId
from veritee.crypto.typed_data import JobResult, address_of, batch_digest, sign_digest

TOKEN = 10**18
OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER, RELAYER = 1, 2, 3, 4, 5
SETTLE_TARGET = 40_000
REGISTER_TARGET = 150_000
ENCLAVE_KEY = keccak(b"bench enclave key")


def _setup(devnet: DevNetwork) -> tuple[ModelId, CapsuleId, int]:
    admin = devnet.network(0)
    for index in (OPERATOR, REQUESTER, MODEL_OWNER, CAPSULE_OWNER):
        admin.token.transfer(devnet.backend.accounts[index].address, 1_000_000 * TOKEN)
    baseline = int(admin.token.transfer(devnet.backend.accounts[RELAYER].address, TOKEN)["gasUsed"])
    owner = devnet.network(MODEL_OWNER)
    model_id = owner.models.register("risk", "1.0", keccak(b"model"), "onnx", "blob://m", TOKEN)
    admin.models.verify(model_id)
    point = _curve_point(b"bench capsule")
    capsule_id = devnet.network(CAPSULE_OWNER).capsules.register(
        keccak(b"ciphertext"), "blob://capsule", point, [model_id], price=TOKEN
    )
    return model_id, capsule_id, baseline


def _curve_point(seed: bytes) -> tuple[int, int]:
    import coincurve

    raw = coincurve.PrivateKey(keccak(seed)).public_key.format(compressed=False)
    return int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")


def _register_worker(
    devnet: DevNetwork, model_id: ModelId, enclave_key: bytes = ENCLAVE_KEY
) -> tuple[str, int]:
    operator = devnet.network(OPERATOR)
    certificate = devnet.certificate(enclave_key, operator.address)
    signatures = devnet.sign_certificate(certificate)
    bond = operator.workers.min_bond()
    operator.token.approve(operator.workers.address, bond)
    receipt = operator.workers.register(
        certificate, signatures, "http://127.0.0.1:8000", TOKEN, [model_id], bond
    )
    return certificate.enclave, int(receipt["gasUsed"])


def _submit_many(
    requester: Network,
    devnet: DevNetwork,
    worker: str,
    model_id: ModelId,
    capsule: CapsuleId,
    n: int,
) -> tuple[list[JobId], list[int]]:
    deadline = devnet.now() + 3_600
    txs = [
        requester.jobs.build(
            "submit",
            JobRequest(
                worker=worker,
                model_id=model_id,
                input_hash=keccak(i.to_bytes(8, "big")),
                input_uri=f"blob://inputs/{i:08d}",
                result_key=keccak(b"result key"),
                max_fee=10 * TOKEN,
                deadline=deadline,
                capsule_ids=(capsule,),
            ).as_tuple(),
        )
        for i in range(n)
    ]
    assert requester.sender is not None
    receipts = requester.sender.send_many(txs)
    ids = [JobId(requester.jobs.events_in(r, "JobSubmitted")[0].args["job_id"]) for r in receipts]
    return ids, [int(r["gasUsed"]) for r in receipts]


def _settle(devnet: DevNetwork, worker: str, ids: list[JobId]) -> int:
    relayer = devnet.network(RELAYER)
    results = [
        JobResult(
            job_id, keccak(b"result" + job_id.to_bytes(8, "big")), f"blob://results/{job_id:08d}"
        )
        for job_id in ids
    ]
    digest = batch_digest(relayer.jobs.domain(), address_of(ENCLAVE_KEY), results)
    receipt = relayer.jobs.settle(worker, results, sign_digest(ENCLAVE_KEY, digest))
    return int(receipt["gasUsed"])


def main() -> int:
    with AnvilDevnet() as backend:
        devnet = deploy_dev_network(backend)
        model_id, capsule_id, baseline = _setup(devnet)
        # The network's first bond ever deposited pays once for the contract's fresh balance slot.
        _register_worker(devnet, model_id, keccak(b"bench warm-up enclave"))
        worker, register_gas = _register_worker(devnet, model_id)
        requester = devnet.network(REQUESTER)
        requester.token.approve(requester.jobs.address, 10**30)

        warmup, _ = _submit_many(requester, devnet, worker, model_id, capsule_id, 2)
        _settle(devnet, worker, warmup)

        per_job: dict[int, float] = {}
        submit_gas: list[int] = []
        for size in (1, 10, 100):
            ids, gas = _submit_many(requester, devnet, worker, model_id, capsule_id, size)
            submit_gas.extend(gas)
            per_job[size] = _settle(devnet, worker, ids) / size
        submit = round(sum(submit_gas) / len(submit_gas))

    print(f"baseline: ERC-20 transfer                {baseline:>9,} gas")
    print(
        f"submit (1 model, 1 capsule)              {submit:>9,} gas  "
        f"({submit / baseline:.2f}x transfer)"
    )
    for size, gas in per_job.items():
        print(
            f"settle per job, batch {size:>3}               {gas:>9,.0f} gas  "
            f"({gas / baseline:.2f}x transfer, {gas / SETTLE_TARGET:.2f} of the 40k target)"
        )
    print(
        f"register certified worker (t=2 of 3)     {register_gas:>9,} gas  "
        f"({register_gas / baseline:.2f}x transfer, "
        f"{register_gas / REGISTER_TARGET:.2f} of the 150k target)"
    )
    met = per_job[100] <= SETTLE_TARGET and register_gas <= REGISTER_TARGET
    print("targets met" if met else "TARGETS MISSED")
    print(
        json.dumps(
            {
                "submit_gas": submit,
                "settle_gas_per_job_batch_1": round(per_job[1]),
                "settle_gas_per_job_batch_10": round(per_job[10]),
                "settle_gas_per_job_batch_100": round(per_job[100]),
                "register_worker_gas": register_gas,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
