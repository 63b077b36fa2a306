"""JobPipeline with a local blob store, real envelopes and capsules, and fake chain and keys.

Every failure becomes a sealed failure document with its code; only a failed store raises.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from veritee.blobs import LocalBlobStore
from veritee.capsule import seal_bytes
from veritee.chain.clients import CapsuleInfo, ModelInfo
from veritee.chain.types import CapsuleId, ModelId, ModelStatus, TokenAmount
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import Point, mul, mul_base, random_scalar
from veritee.crypto.threshold import CapsuleContext, data_key_from_point
from veritee.exceptions import BlobError, DecryptionError, QuorumError
from veritee.models import ModelCache
from veritee.models.builders import build_risk_model
from veritee.models.datasets import synthetic_patients
from veritee.models.tasks import FailureCode, decode_result
from veritee.protocol import JobDelivery, open_result, seal_input
from veritee.worker.enclave import EnclaveIdentity
from veritee.worker.executor import BlobAccess, JobOutcome, JobPipeline, ResultNotStored

CHAIN_ID = 31337
JOBS = "0x" + "07" * 20
CAPSULES = "0x" + "06" * 20
REQUESTER = "0x" + "cd" * 20
PREDICT = {"v": 1, "task": "predict", "inputs": {"features": [[60, 29, 140, 6.5, 2, 1]]}}


class FakeRegistries:
    def __init__(self) -> None:
        self.models: dict[int, ModelInfo] = {}
        self.capsules: dict[int, CapsuleInfo] = {}

    def model(self, model_id: int) -> ModelInfo:
        return self.models[model_id]

    def capsule(self, capsule_id: int) -> CapsuleInfo:
        return self.capsules[capsule_id]


async def _direct(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


class World:
    def __init__(self, root: Path) -> None:
        self.store = LocalBlobStore(root / "blobs")
        self.identity = EnclaveIdentity.generate()
        self.requester = X25519KeyPair.generate()
        self.secret = random_scalar()
        self.registries = FakeRegistries()
        artifact = build_risk_model()
        self.registries.models[1] = ModelInfo(
            ModelId(1),
            "0x" + "ee" * 20,
            "risk",
            "1",
            hashlib.sha256(artifact).digest(),
            "onnx",
            self.store.uri(self.store.put(artifact)),
            TokenAmount(0),
            ModelStatus.VERIFIED,
            ModelId(0),
        )
        data, sealed = seal_bytes(
            synthetic_patients(40, seed=1),
            network_key=mul_base(self.secret),
            chain_id=CHAIN_ID,
            capsules=CAPSULES,
        )
        self.registries.capsules[5] = CapsuleInfo(
            CapsuleId(5),
            "0x" + "dd" * 20,
            sealed.ciphertext_sha256,
            self.store.uri(self.store.put(data)),
            sealed.r.xy,
            TokenAmount(0),
            0,
            0,
            False,
            0,
            0,
            (),
        )
        self.key_requests: list[tuple[int, int]] = []
        self.refuse_keys = False

    async def keys(self, job_id: int, capsule_id: int, r: Point) -> bytes:
        self.key_requests.append((job_id, capsule_id))
        if self.refuse_keys:
            raise QuorumError("only 0 valid key shares, 2 needed: gatekeeper 1: denied")
        context = CapsuleContext.for_ephemeral(r, CHAIN_ID, CAPSULES)
        return data_key_from_point(mul(self.secret, r), context)

    def pipeline(self, store: Any = None) -> JobPipeline:
        return JobPipeline(
            identity=self.identity,
            chain_id=CHAIN_ID,
            jobs=JOBS,
            capsules=CAPSULES,
            blobs=BlobAccess(store or self.store, 1 << 24),
            models=ModelCache(2),
            chain=self.registries,
            keys=self.keys,
            offload=_direct,
        )

    def delivery(
        self, document: Any = PREDICT, capsules: tuple[int, ...] = (), *, sealed_to: Any = None
    ) -> JobDelivery:
        plaintext = json.dumps(document).encode() if not isinstance(document, bytes) else document
        envelope = seal_input(
            (sealed_to or self.identity.x25519).public_bytes(),
            plaintext,
            chain_id=CHAIN_ID,
            jobs=JOBS,
            worker=self.identity.address,
        )
        digest = self.store.put(envelope)
        return JobDelivery(
            job_id=42,
            requester=REQUESTER,
            model_id=1,
            capsule_ids=capsules,
            input_hash=bytes.fromhex(digest),
            input_uri=self.store.uri(digest),
            result_key=self.requester.public_bytes(),
            deadline=10**9,
        )

    def run(self, delivery: JobDelivery, pipeline: JobPipeline | None = None) -> JobOutcome:
        return asyncio.run((pipeline or self.pipeline()).run(delivery))

    def document(self, outcome: JobOutcome) -> dict[str, Any]:
        envelope = self.store.get(outcome.result.result_uri.rsplit("/", 1)[1])
        assert hashlib.sha256(envelope).digest() == outcome.result.result_hash
        plaintext = open_result(self.requester, envelope, chain_id=CHAIN_ID, jobs=JOBS, job_id=42)
        return decode_result(plaintext)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_predict(world: World) -> None:
    outcome = world.run(world.delivery())
    assert outcome.result.status == 0 and outcome.reason is None
    document = world.document(outcome)
    assert document["task"] == "predict" and document["job_id"] == 42
    assert set(outcome.timings_ms) == {"input", "model", "inference", "encrypt_store", "total"}
    assert world.key_requests == []


def test_aggregate_over_a_capsule(world: World) -> None:
    outcome = world.run(world.delivery({"v": 1, "task": "aggregate"}, capsules=(5,)))
    assert outcome.result.status == 0, outcome.reason
    document = world.document(outcome)
    assert document["outputs"]["overall"]["rows"] == 40
    assert len(document["outputs"]["capsules"]) == 1
    assert world.key_requests == [(42, 5)]
    assert {"capsules", "key_release"} <= set(outcome.timings_ms)


def test_the_result_opens_only_for_the_requester(world: World) -> None:
    outcome = world.run(world.delivery())
    envelope = world.store.get(outcome.result.result_uri.rsplit("/", 1)[1])
    with pytest.raises(DecryptionError):
        open_result(X25519KeyPair.generate(), envelope, chain_id=CHAIN_ID, jobs=JOBS, job_id=42)
    with pytest.raises(DecryptionError):  # nor as another job's result
        open_result(world.requester, envelope, chain_id=CHAIN_ID, jobs=JOBS, job_id=43)


def _failed(world: World, delivery: JobDelivery, code: FailureCode) -> str:
    outcome = world.run(delivery)
    assert outcome.result.status == int(code), outcome.reason
    assert outcome.reason is not None
    document = world.document(outcome)
    assert document["error"] == {"code": int(code), "reason": outcome.reason}
    return outcome.reason


def test_input_not_matching_its_hash(world: World) -> None:
    delivery = replace(world.delivery(), input_hash=bytes(32))
    assert "input_hash" in _failed(world, delivery, FailureCode.INPUT_UNAVAILABLE)


def test_input_in_a_host_file_outside_the_workers_store_is_not_read(
    world: World, tmp_path: Path
) -> None:
    delivery = world.delivery()
    elsewhere = LocalBlobStore(tmp_path / "elsewhere")
    digest = elsewhere.put(world.store.get(delivery.input_hash.hex()))
    moved = replace(delivery, input_uri=elsewhere.uri(digest))
    reason = _failed(world, moved, FailureCode.INPUT_UNAVAILABLE)
    assert "scheme 'file'" in reason
    elsewhere.close()


def test_input_missing(world: World) -> None:
    delivery = world.delivery()
    world.store.path(delivery.input_hash.hex()).unlink()
    assert "unavailable" in _failed(world, delivery, FailureCode.INPUT_UNAVAILABLE)


def test_input_sealed_to_another_key(world: World) -> None:
    delivery = world.delivery(sealed_to=X25519KeyPair.generate())
    assert "decrypted" in _failed(world, delivery, FailureCode.INPUT_UNREADABLE)


def test_unknown_task(world: World) -> None:
    _failed(world, world.delivery({"v": 1, "task": "dance"}), FailureCode.TASK_INVALID)


def test_model_not_matching_the_registry(world: World) -> None:
    model = world.registries.models[1]
    world.registries.models[1] = replace(model, artifact_sha256=hashlib.sha256(b"x").digest())
    reason = _failed(world, world.delivery(), FailureCode.MODEL_UNAVAILABLE)
    assert "does not match the registry" in reason


def test_capsule_key_refused(world: World) -> None:
    world.refuse_keys = True
    delivery = world.delivery({"v": 1, "task": "aggregate"}, capsules=(5,))
    assert "key not released" in _failed(world, delivery, FailureCode.CAPSULE_UNAVAILABLE)


def test_capsule_bound_to_another_point(world: World) -> None:
    capsule = world.registries.capsules[5]
    world.registries.capsules[5] = replace(capsule, r=mul_base(7).xy)
    delivery = world.delivery({"v": 1, "task": "aggregate"}, capsules=(5,))
    reason = _failed(world, delivery, FailureCode.CAPSULE_UNAVAILABLE)
    assert "R is not the on-chain R" in reason
    assert world.key_requests == []  # no key is asked for a capsule that fails its checks


def test_a_result_that_cannot_be_stored_raises(world: World) -> None:
    class FullStore(LocalBlobStore):
        def put(self, data: bytes) -> str:
            raise BlobError("disk full")

    delivery = world.delivery()
    full = FullStore(world.store.root)
    with pytest.raises(ResultNotStored, match="disk full"):
        world.run(delivery, world.pipeline(full))


def test_a_result_key_nothing_can_be_sealed_to_fails_the_job(world: World) -> None:
    outcome = world.run(replace(world.delivery(), result_key=bytes(32)))
    assert outcome.result.status == FailureCode.INPUT_UNREADABLE
    assert outcome.result.result_uri == "" and outcome.result.result_hash == bytes(32)
    assert outcome.reason == "result_key is not a key a result can be sealed to"
