"""Three gatekeepers (t = 2) over HTTP on an in-process chain: DKG, certification, key release.

The world (``gatekeeper_world.build_world``) is built once: the DKG run by the relay publishes the
network key, a worker certified by the gatekeepers from a simulated quote registers on-chain, a
data owner seals a capsule key to the network key, and a job is submitted. Each test starts from
that state (a chain snapshot, reverted afterwards).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from eth_utils import keccak

from tests.integration.gatekeeper_world import OPERATOR, Worker, World, build_world
from veritee.attestation.simulated import SimulatedPlatform, SimulatedProvider
from veritee.chain import EmbeddedChain
from veritee.chain.devnet import deploy_dev_network
from veritee.chain.types import TeeKind
from veritee.crypto.secp256k1 import mul_base
from veritee.crypto.threshold import DecryptionShare, KeyShare
from veritee.crypto.typed_data import address_of
from veritee.exceptions import KeyNotReady, QuorumError
from veritee.gatekeeper.audit import verify_audit_log
from veritee.gatekeeper.auth import sign_request
from veritee.gatekeeper.local import LocalGatekeepers
from veritee.gatekeeper.node import GatekeeperNode
from veritee.gatekeeper.outcomes import GatekeeperEndpoint, OutcomeKind
from veritee.gatekeeper.policy import Denial
from veritee.gatekeeper.ratelimit import RateLimiter
from veritee.gatekeeper.wire import CapsuleShareBody, request_headers


class LyingNode(GatekeeperNode):
    """Answers with a random point (and its honest proof for the real one) when ``lying``."""

    lying = False

    def _capsule_decryption_share(self, key: KeyShare, point, context: bytes) -> DecryptionShare:  # type: ignore[no-untyped-def]
        share = super()._capsule_decryption_share(key, point, context)
        if self.lying:
            return replace(share, point=mul_base(int.from_bytes(os.urandom(31), "big") + 1))
        return share


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = build_world(tmp_path_factory.mktemp("gatekeepers"), node_classes={3: LyingNode})
    yield world
    world.local.stop()


@pytest.fixture
def world(built: World) -> Iterator[World]:
    snapshot = built.devnet.backend.snapshot()
    yield built
    built.devnet.backend.revert(snapshot)
    built.devnet.resync()
    for node in built.local.nodes.values():
        if isinstance(node, LyingNode):
            node.lying = False


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _with_down(world: World, *indices: int) -> list[GatekeeperEndpoint]:
    return [replace(e, url=_dead_url()) if e.index in indices else e for e in world.local.endpoints]


def _audit(world: World, index: int) -> list[dict[str, object]]:
    return verify_audit_log(world.local.nodes[index].audit.path)


def _post_share(
    world: World, index: int, body: bytes, enclave_key: bytes, **changes: object
) -> httpx.Response:
    endpoint = world.local.endpoints[index - 1]
    arguments: dict[str, object] = {
        "worker": address_of(enclave_key),
        "action": "capsule-share",
        "body": body,
        "gatekeeper": endpoint.address,
    }
    arguments.update(changes)
    signed = sign_request(enclave_key, world.local.nodes[index].request_domain, **arguments)  # type: ignore[arg-type]
    return httpx.post(
        f"{endpoint.url}/v1/capsule-share", content=body, headers=request_headers(signed)
    )


def test_dkg_publishes_the_network_key_and_seals_each_share(world: World) -> None:
    gatekeepers = world.devnet.network(0).gatekeepers
    assert gatekeepers.key_published()
    shares = world.public_shares()
    for index, node in world.local.nodes.items():
        key = node.key_share()
        assert key.public_key.xy == gatekeepers.network_key()
        assert mul_base(key.secret) == shares[index]
        sealed = node.store.path(gatekeepers.epoch())
        assert sealed.stat().st_mode & 0o777 == 0o600
        assert key.secret.to_bytes(32, "big") not in sealed.read_bytes()
        assert node.store.load(gatekeepers.epoch(), index) == key
        steps = [r["step"] for r in _audit(world, index) if r["event"] == "dkg"]
        assert steps == ["start", "finalized"]
    info = httpx.get(f"{world.local.endpoints[0].url}/v1/info").json()
    assert (info["index"], info["t"], info["n"], info["key_published"]) == (1, 2, 3, True)
    assert info["public_share"] == "0x" + shares[1].compressed.hex()


def test_certificate_is_signed_by_t_gatekeepers_in_signer_order(world: World) -> None:
    bundle = world.bundle
    assert len(bundle.signatures) >= 2
    assert list(bundle.signers) == sorted(bundle.signers, key=lambda a: int(a, 16))
    assert bundle.certificate.x25519_key == world.worker.x25519.public_bytes()
    assert bundle.certificate.measurement == world.worker.provider.measurement()
    assert bundle.certificate.expiry - bundle.certificate.issued_at == 7_200
    workers = world.devnet.network(0).workers
    assert workers.is_certified(world.worker.address)
    assert workers.worker(world.worker.address).x25519_key == world.worker.x25519.public_bytes()
    records = [r for r in _audit(world, 1) if r["event"] == "certify"]
    assert records[0]["decision"] == "certified"


def test_worker_recovers_the_capsule_data_key(world: World) -> None:
    with world.client() as client:
        release = world.capsule_key(client)
    assert release.key == world.data_key
    assert len(release.used) >= 2 and not release.liars and not release.failures
    released = [r for r in _audit(world, release.used[0]) if r.get("decision") == "released"]
    assert released[-1]["job_id"] == world.job_id
    assert "key" not in json.dumps(released[-1]).replace("capsule", "")


def test_one_gatekeeper_down_still_releases(world: World) -> None:
    with world.client(_with_down(world, 1)) as client:
        release = world.capsule_key(client, wait_for_all=True)
    assert release.key == world.data_key
    assert release.used == (2, 3)
    assert [(o.index, o.kind) for o in release.failures] == [(1, OutcomeKind.DOWN)]


def test_lying_gatekeeper_is_detected_reported_and_excluded(world: World) -> None:
    world.local.nodes[3].lying = True  # type: ignore[attr-defined]
    with world.client() as client:
        release = world.capsule_key(client, wait_for_all=True)
        assert release.key == world.data_key
        assert [o.index for o in release.liars] == [3]
        assert "dleq" in (release.liars[0].reason or "")
    with world.client(_with_down(world, 1)) as client, pytest.raises(QuorumError) as caught:
        world.capsule_key(client)
    assert caught.value.outcomes[3].kind is OutcomeKind.LIED  # type: ignore[attr-defined]
    assert "gatekeeper 3" in str(caught.value) and "bad proof" in str(caught.value)


def test_two_gatekeepers_down_names_each_outcome(world: World) -> None:
    with world.client(_with_down(world, 1, 2)) as client, pytest.raises(QuorumError) as caught:
        world.capsule_key(client)
    message = str(caught.value)
    assert "only 1 valid key shares, 2 needed" in message
    assert "gatekeeper 1" in message and "gatekeeper 2" in message and ": down (" in message
    assert "gatekeeper 3" in message and "valid" in message


def _assert_denied(world: World, reason: Denial, **changes: object) -> None:
    with world.client() as client, pytest.raises(QuorumError) as caught:
        world.capsule_key(client, wait_for_all=True, **changes)
    outcomes = caught.value.outcomes  # type: ignore[attr-defined]
    assert {o.kind for o in outcomes.values()} == {OutcomeKind.DENIED}
    assert {(o.http_status, o.reason) for o in outcomes.values()} == {(403, reason.value)}
    for index in (1, 2, 3):
        last = _audit(world, index)[-1]
        assert (last["event"], last["decision"], last["reason"]) == (
            "capsule-share",
            "denied",
            reason.value,
        )


def test_unregistered_worker_is_denied(world: World) -> None:
    stranger = Worker(keccak(b"never registered"), world.worker.provider)
    _assert_denied(
        world, Denial.WORKER_UNKNOWN, enclave_key=stranger.enclave_key, x25519=stranger.x25519
    )


def test_expired_certificate_is_denied(world: World) -> None:
    world.devnet.backend.advance_time(7_201)
    _assert_denied(world, Denial.WORKER_NOT_CERTIFIED)


def test_measurement_dropped_by_policy_is_denied(world: World) -> None:
    policy = world.devnet.network(0).policy
    policy.set_measurement(TeeKind.SIMULATED, world.worker.provider.measurement(), False)
    _assert_denied(world, Denial.WORKER_NOT_CERTIFIED)


def test_job_of_another_worker_is_denied(world: World) -> None:
    other = world.other_worker
    _assert_denied(
        world, Denial.JOB_NOT_ASSIGNED, enclave_key=other.enclave_key, x25519=other.x25519
    )


def test_capsule_outside_the_job_is_denied(world: World) -> None:
    _assert_denied(world, Denial.CAPSULE_NOT_IN_JOB, capsule_id=world.other_capsule_id)


def test_settled_job_is_denied(world: World) -> None:
    world.settle()
    _assert_denied(world, Denial.JOB_NOT_PENDING)


def test_denial_is_a_json_403_naming_the_reason(world: World) -> None:
    body = CapsuleShareBody(world.job_id, world.other_capsule_id, world.worker.address).encode()
    response = _post_share(world, 2, body, world.worker.enclave_key)
    assert response.status_code == 403
    assert response.json()["error"] == "denied"
    assert response.json()["reason"] == Denial.CAPSULE_NOT_IN_JOB.value


def test_replayed_request_is_refused(world: World) -> None:
    body = CapsuleShareBody(world.job_id, world.capsule_id, world.worker.address).encode()
    endpoint = world.local.endpoints[0]
    signed = sign_request(
        world.worker.enclave_key,
        world.local.nodes[1].request_domain,
        worker=world.worker.address,
        action="capsule-share",
        body=body,
        gatekeeper=endpoint.address,
    )
    url, headers = f"{endpoint.url}/v1/capsule-share", request_headers(signed)
    assert httpx.post(url, content=body, headers=headers).status_code == 200
    replayed = httpx.post(url, content=body, headers=headers)
    assert replayed.status_code == 401
    assert replayed.json()["error"] == "unauthenticated"
    assert "replayed" in replayed.json()["reason"]
    assert _audit(world, 1)[-1]["decision"] == "unauthenticated"


def test_forged_and_misaddressed_requests_are_refused(world: World) -> None:
    body = CapsuleShareBody(world.job_id, world.capsule_id, world.worker.address).encode()
    forged = _post_share(world, 1, body, keccak(b"impostor"), worker=world.worker.address)
    assert forged.status_code == 401
    assert forged.json()["reason"] == "request is not signed by the worker it names"
    elsewhere = _post_share(
        world, 1, body, world.worker.enclave_key, gatekeeper=world.local.endpoints[1].address
    )
    assert elsewhere.json()["reason"] == "request is addressed to another gatekeeper"


def test_rate_limit_answers_429(world: World) -> None:
    node = world.local.nodes[1]
    original, node.limiter = node.limiter, RateLimiter(rate=0.001, burst=2)
    try:
        body = CapsuleShareBody(world.job_id, world.capsule_id, world.worker.address).encode()
        statuses = [
            _post_share(world, 1, body, world.worker.enclave_key).status_code for _ in range(3)
        ]
    finally:
        node.limiter = original
    assert statuses == [200, 200, 429]
    assert _audit(world, 1)[-1]["decision"] == "rate-limited"


def test_malformed_and_oversized_requests_answer_400(world: World) -> None:
    url = world.local.endpoints[0].url
    garbage = httpx.post(f"{url}/v1/certify", content=b"{not json")
    assert garbage.status_code == 400 and garbage.json()["reason"] == "body is not JSON"
    unsigned = httpx.post(f"{url}/v1/capsule-share", content=b"{}")
    assert unsigned.status_code == 400 and unsigned.json()["reason"].startswith("missing")
    huge = httpx.post(f"{url}/v1/certify", content=b"x" * (2 << 20))
    assert huge.status_code == 400 and huge.json()["reason"] == "body too large"


def test_sealing_key_is_stable_per_measurement(world: World) -> None:
    name = "seal:" + world.worker.provider.measurement().hex()
    arguments = {
        "enclave_key": world.worker.enclave_key,
        "x25519": world.worker.x25519,
        "public_shares": world.public_shares(),
        "threshold": 2,
    }
    with world.client() as client:
        first = client.named_key(name=name, **arguments)
        second = client.named_key(name=name, **arguments)
        assert first.key == second.key and len(first.key) == 32
        with pytest.raises(QuorumError) as caught:
            client.named_key(name="seal:" + "ab" * 32, **arguments)
    reasons = {o.reason for o in caught.value.outcomes.values()}  # type: ignore[attr-defined]
    assert reasons == {Denial.MEASUREMENT_MISMATCH.value}
    assert _audit(world, 1)[-1]["reason"] == Denial.MEASUREMENT_MISMATCH.value


def _certify(world: World, request: object) -> list[tuple[int, str]]:
    with world.client() as client, pytest.raises(QuorumError) as caught:
        client.request_certificate(request, 2)  # type: ignore[arg-type]
    return sorted((o.http_status, o.reason) for o in caught.value.outcomes.values())  # type: ignore[attr-defined]


def test_certification_refusals_name_their_reason(world: World) -> None:
    operator = world.devnet.sender(OPERATOR).address
    worker = world.worker
    request = worker.certify_request(world.devnet, operator)
    wrong_operator = replace(request, operator=world.devnet.sender(2).address)
    assert _certify(world, wrong_operator) == [(403, "report data mismatch")] * 3
    stale = worker.certify_request(world.devnet, operator)
    world.devnet.backend.mine(51)
    assert _certify(world, stale) == [(403, "stale nonce")] * 3
    forged = replace(worker.certify_request(world.devnet, operator), nonce=keccak(b"no block"))
    assert _certify(world, forged) == [(403, "stale nonce")] * 3
    world.devnet.network(0).policy.set_allow_simulated(False)
    refused = worker.certify_request(world.devnet, operator)
    assert _certify(world, refused) == [(403, "simulated quotes not accepted")] * 3


def test_quote_from_an_unpinned_platform_is_refused(world: World) -> None:
    rogue = SimulatedProvider(
        {"role": "gatekeeper test worker"}, platform=SimulatedPlatform.generate()
    )
    worker = Worker(keccak(b"rogue enclave"), rogue)
    request = worker.certify_request(world.devnet, world.devnet.sender(OPERATOR).address)
    assert _certify(world, request) == [(403, "quote does not verify")] * 3


def test_node_without_a_published_key_is_not_ready(tmp_path: Path) -> None:
    devnet = deploy_dev_network(EmbeddedChain(), gatekeepers=3, threshold=2)
    with LocalGatekeepers(devnet, tmp_path) as gatekeepers:
        with pytest.raises(KeyNotReady):
            gatekeepers.nodes[1].key_share()
        endpoint = gatekeepers.endpoints[0]
        key = keccak(b"early worker")
        body = CapsuleShareBody(1, 1, address_of(key)).encode()
        signed = sign_request(
            key,
            gatekeepers.nodes[1].request_domain,
            worker=address_of(key),
            action="capsule-share",
            body=body,
            gatekeeper=endpoint.address,
        )
        url = endpoint.url
        response = httpx.post(
            f"{url}/v1/capsule-share", content=body, headers=request_headers(signed)
        )
        assert response.status_code == 503
        assert response.json() == {
            "error": "not ready",
            "reason": "no network key yet",
            "detail": "this gatekeeper holds no published key share",
        }
        assert httpx.get(f"{url}/v1/health").json()["status"] == "ok"


def test_head_is_reread_per_request_or_at_most_every_head_max_age(world: World) -> None:
    view = world.local.nodes[1].view
    first = view.pinned()
    world.devnet.backend.mine()
    assert view.pinned().number == first.number + 1  # head_max_age 0: every read is fresh
    view.head_max_age = 60.0
    try:
        cached = view.pinned()
        world.devnet.backend.mine()
        assert view.pinned() == cached
    finally:
        view.head_max_age = 0.0
    assert view.pinned().number == cached.number + 1


def test_cached_facts_serve_a_block_and_a_revocation_counts_from_the_next(world: World) -> None:
    body = CapsuleShareBody(world.job_id, world.capsule_id, world.worker.address).encode()
    nodes = list(world.local.nodes.values())
    for node in nodes:
        node.view.pinned()  # read the head now: the fixture reverted the chain under the view
        node.view.head_max_age = 60.0
    try:
        with world.client() as client:
            assert world.capsule_key(client, wait_for_all=True).key == world.data_key
        # Every fact is cached at the pinned block: the next request is answered on the loop.
        assert all(node.capsule_share_is_cached(body) for node in nodes)
        assert not any(node.capsule_share_is_cached(b"{}") for node in nodes)
        policy = world.devnet.network(0).policy
        policy.set_measurement(TeeKind.SIMULATED, world.worker.provider.measurement(), False)
        for node in nodes:
            node.view.head_max_age = 0.0  # the next decision pins the block past the revocation
        assert not any(node.capsule_share_is_cached(body) for node in nodes)
        _assert_denied(world, Denial.WORKER_NOT_CERTIFIED)
    finally:
        for node in nodes:
            node.view.head_max_age = 0.0
