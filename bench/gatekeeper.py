"""Gatekeeper benchmarks: key-release latency, decryption-share throughput, quote verification.

Prints its figures, and as the last line one JSON object with ``key_release_p50_ms_t2n3``,
``key_release_p99_ms_t2n3``, ``key_release_p50_ms_t3n5``, ``key_release_p99_ms_t3n5``,
``decryption_shares_per_s`` and ``verify_ratio_vs_dcap_qvl`` (with ``--processes``, also the
same four latencies suffixed ``_processes``).

- Key release: a worker recovers a capsule's data key from ``t`` of ``n`` gatekeepers over
  loopback HTTP, one release after another, timed from the worker's call to the key: signing
  the ``n`` requests, each gatekeeper's authentication (signature, freshness, replay), rate
  limit, chain reads (pinned ``latest - confirmations``, 0 confirmations on this devnet; cached
  per block; the head re-read at most every ``head_max_age``, and per request on the second
  printed line), policy, DLEQ share, HPKE envelope and fsync'ed audit record, then the worker
  opening answers, checking their DLEQ proofs and combining the first ``t`` valid ones (the
  production client: it does not wait for the other ``n - t``, whose requests still run to
  completion).

  The reported figures (``key_release_*``) run the ``n`` gatekeepers in this process, each
  HTTP server in its own thread and event loop, on the embedded chain (or anvil with
  ``--chain anvil``). That is pessimistic: all ``n`` gatekeepers and the worker share one
  interpreter lock and this machine's cores, so the work of the ``n - t`` gatekeepers a release
  does not need, and every thread switch, is on the critical path; in production each
  gatekeeper is its own process on its own machine. ``--processes`` adds the same measurement
  (``*_processes``) with every gatekeeper in its own process (``python -m veritee.gatekeeper``)
  on anvil, closer to production, though still on this machine's cores.
- Decryption shares: ``make_share`` (share and DLEQ proof) per second on one core.
- Verification: quotes per second through veritee's ``QuoteVerifier`` over raw
  ``dcap_qvl.verify``, on the TDX vector with a fixed ``now``, measured in the same run.

    .venv/bin/python bench/gatekeeper.py [--releases 200] [--chain embedded|anvil] [--processes]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Protocol

import dcap_qvl
from eth_utils import keccak

from veritee.attestation import FileCollateral, QuotePolicy, QuoteVerifier
from veritee.chain import AnvilDevnet, ChainBackend, EmbeddedChain, JobRequest
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import Point, mul_base
from veritee.crypto.threshold import CapsuleContext, make_share, seal_capsule_key
from veritee.crypto.typed_data import address_of
from veritee.gatekeeper.client import GatekeeperClient
from veritee.gatekeeper.config import GatekeeperConfig
from veritee.gatekeeper.dkg_orchestrator import DkgResult, run_dkg
from veritee.gatekeeper.local import LocalGatekeepers, dev_encryption_key
from veritee.gatekeeper.outcomes import GatekeeperEndpoint

VECTORS = Path(__file__).resolve().parents[1] / "tests" / "vectors" / "dcap"
TOKEN = 10**18
# Limits sized for a benchmark that asks far faster than any worker would.
UNLIMITED = {"rate_limit": 1e9, "rate_burst": 10**9}  # also given to LocalGatekeepers below


class Gatekeepers(Protocol):
    """The ``n`` gatekeepers of a devnet, however they run."""

    @property
    def endpoints(self) -> list[GatekeeperEndpoint]: ...
    def start(self) -> list[GatekeeperEndpoint]: ...
    def run_dkg(self) -> DkgResult: ...
    def public_shares(self) -> dict[int, Point]: ...
    def stop(self) -> None: ...


class GatekeeperProcesses:
    """Every development gatekeeper of ``devnet`` as a child process, as ``veritee gatekeeper
    run`` starts one (the chain must be reachable over RPC: anvil). Each is stopped by its PID."""

    def __init__(self, devnet: DevNetwork, data_dir: Path, head_max_age: float) -> None:
        self.devnet, self.data_dir, self.head_max_age = devnet, data_dir, head_max_age
        self.children: dict[int, subprocess.Popen[bytes]] = {}
        self.announcements: dict[int, dict[str, object]] = {}

    def start(self) -> list[GatekeeperEndpoint]:
        record = self.data_dir / "deployment.json"
        record.parent.mkdir(parents=True, exist_ok=True)
        self.devnet.deployment.save(record)
        outputs = {}
        for index in range(1, len(self.devnet.gatekeeper_keys) + 1):
            directory = self.data_dir / f"gatekeeper-{index}"
            directory.mkdir(parents=True, exist_ok=True)
            settings = {
                "index": index,
                "signing_key": self.devnet.gatekeeper_keys[index - 1].hex(),
                "encryption_key": dev_encryption_key(index).hex(),
                "deployment": str(record),
                "rpc_url": self.devnet.backend.rpc_url,
                "port": 0,
                "confirmations": 0,
                "head_max_age": self.head_max_age,
                "data_dir": str(directory / "data"),
                **UNLIMITED,
            }
            config = directory / "gatekeeper.json"
            config.write_text(json.dumps(settings))
            outputs[index] = directory / "stdout.log"
            with outputs[index].open("wb") as out, (directory / "stderr.log").open("wb") as err:
                self.children[index] = subprocess.Popen(
                    [sys.executable, "-m", "veritee.gatekeeper", "--config", str(config), "--json"],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                )
        for index, output in outputs.items():
            self.announcements[index] = _first_line(output, self.children[index], timeout=120)
        return self.endpoints

    @property
    def endpoints(self) -> list[GatekeeperEndpoint]:
        return [
            GatekeeperEndpoint(i, str(a["address"]), str(a["url"]))
            for i, a in sorted(self.announcements.items())
        ]

    def run_dkg(self) -> DkgResult:
        return run_dkg([e.url for e in self.endpoints], self.devnet.network(0))

    def public_shares(self) -> dict[int, Point]:
        shares = self.devnet.network(0).gatekeepers.public_shares()
        return {i: Point.from_xy(*xy) for i, xy in enumerate(shares, start=1)}

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                os.kill(child.pid, signal.SIGTERM)
        for child in self.children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(child.pid, signal.SIGKILL)
                child.wait(timeout=10)


def _first_line(path: Path, child: subprocess.Popen[bytes], timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text()
        if text.endswith("\n"):
            return dict(json.loads(text.splitlines()[0]))
        if child.poll() is not None:
            break
        time.sleep(0.05)
    stderr = (path.parent / "stderr.log").read_text()[-3000:]
    raise RuntimeError(f"gatekeeper process did not start: {stderr}")


def key_release_latency(
    backend: ChainBackend,
    n: int,
    t: int,
    releases: int,
    data_dir: Path,
    head_max_ages: list[float],
    processes: bool = False,
) -> list[list[float]]:
    """Milliseconds per capsule-key release, ``releases`` sequential releases per head setting
    (in processes, only the first setting: a child's settings are fixed at its start)."""
    devnet = deploy_dev_network(backend, gatekeepers=n, threshold=t)
    admin = devnet.network(0)
    admin.token.transfer(devnet.sender(1).address, 10_000 * TOKEN)
    admin.token.transfer(devnet.sender(2).address, 10_000 * TOKEN)
    gatekeepers: Gatekeepers
    if processes:
        gatekeepers = GatekeeperProcesses(devnet, data_dir, head_max_ages[0])
        head_max_ages = head_max_ages[:1]
    else:
        local = LocalGatekeepers(devnet, data_dir, rate_limit=1e9, rate_burst=10**9)
        gatekeepers = local
    try:
        gatekeepers.start()
        dkg = gatekeepers.run_dkg()
        model = admin.models.register("bench", "1", keccak(b"m"), "onnx", "blob://m", 0)
        admin.models.verify(model)
        enclave_key, x25519 = keccak(b"bench enclave"), X25519KeyPair.generate()
        operator = devnet.network(1)
        certificate = replace(
            devnet.certificate(enclave_key, operator.address), x25519_key=x25519.public_bytes()
        )
        operator.token.approve(operator.workers.address, operator.workers.min_bond())
        operator.workers.register(
            certificate,
            devnet.sign_certificate(certificate),
            "http://127.0.0.1:1",
            0,
            [model],
            operator.workers.min_bond(),
        )
        capsules = admin.capsules
        capsule_r, data_key, _ = seal_capsule_key(
            dkg.public_key, devnet.deployment.chain_id, capsules.address
        )
        capsule_id = capsules.register(keccak(b"c"), "blob://c", capsule_r.xy, [model])
        requester = devnet.network(2)
        requester.token.approve(requester.jobs.address, TOKEN)
        job_id = requester.jobs.submit(
            JobRequest(
                address_of(enclave_key),
                model,
                keccak(b"i"),
                "blob://i",
                keccak(b"r"),
                TOKEN,
                devnet.now() + 3_600,
                (capsule_id,),
            )
        )
        shares = gatekeepers.public_shares()

        async def run() -> list[float]:
            timings = []
            async with GatekeeperClient(gatekeepers.endpoints, devnet.deployment) as client:
                for number in range(releases + 10):
                    started = time.perf_counter()
                    release = await client.capsule_key(
                        job_id=job_id,
                        capsule_id=capsule_id,
                        enclave_key=enclave_key,
                        x25519=x25519,
                        capsule_r=capsule_r,
                        public_shares=shares,
                        threshold=t,
                    )
                    elapsed = (time.perf_counter() - started) * 1000
                    assert release.key == data_key
                    if number >= 10:  # warm-up: connections, caches
                        timings.append(elapsed)
            return timings

        runs = []
        for max_age in head_max_ages:
            if not processes:
                for node in local.nodes.values():
                    node.view.head_max_age = max_age
            runs.append(asyncio.run(run()))
        return runs
    finally:
        gatekeepers.stop()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def rate(function: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``function`` over about ``seconds``."""
    function()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(20):
            function()
        count += 20
    return count / elapsed


def share_rate(seconds: float) -> float:
    from veritee.crypto.threshold import KeyShare

    key = KeyShare(1, 1, 1, 12345, mul_base(12345), {1: mul_base(12345)})
    point, context = mul_base(777), CapsuleContext(1, 1, "0x" + "11" * 20).encode()
    return rate(partial(make_share, key, point, context), seconds)


def verify_ratio(seconds: float) -> tuple[float, float]:
    raw = (VECTORS / "tdx_quote").read_bytes()
    path = VECTORS / "tdx_quote_collateral.json"
    text = path.read_text()
    issued = json.loads(json.loads(text)["tcb_info"])["issueDate"]
    now = int(datetime.fromisoformat(issued.replace("Z", "+00:00")).timestamp()) + 86_400
    collateral = dcap_qvl.QuoteCollateralV3.from_json(text)
    verifier = QuoteVerifier(FileCollateral(path), QuotePolicy.any_status())
    raw_rate = rate(partial(dcap_qvl.verify, raw, collateral, now), seconds)
    veritee_rate = rate(partial(verifier.verify, raw, now=now), seconds)
    return veritee_rate, raw_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--releases", type=int, default=200)
    parser.add_argument("--chain", choices=("embedded", "anvil"), default="embedded")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument(
        "--processes",
        action="store_true",
        help="also measure with each gatekeeper in its own process (on anvil)",
    )
    parser.add_argument(
        "--head-max-age",
        type=float,
        default=GatekeeperConfig.HEAD_MAX_AGE,
        help="gatekeepers' head_max_age for the reported figures (default: the production one)",
    )
    args = parser.parse_args()
    figures: dict[str, float] = {}
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory() as tmp:
        for n, t in ((3, 2), (5, 3)):
            backend: ChainBackend = EmbeddedChain() if args.chain == "embedded" else AnvilDevnet()
            with backend:
                runs = key_release_latency(
                    backend, n, t, args.releases, Path(tmp) / f"{t}of{n}", [args.head_max_age, 0.0]
                )
            for timings, label in zip(
                runs,
                (f"head read at most every {args.head_max_age} s", "head read per request"),
                strict=True,
            ):
                p50, p99 = statistics.median(timings), percentile(timings, 0.99)
                print(
                    f"key release t={t} n={n} ({args.chain} chain, {label}, {len(timings)} "
                    f"releases): p50 {p50:.2f} ms  p99 {p99:.2f} ms"
                )
            p50, p99 = statistics.median(runs[0]), percentile(runs[0], 0.99)
            figures[f"key_release_p50_ms_t{t}n{n}"] = round(p50, 3)
            figures[f"key_release_p99_ms_t{t}n{n}"] = round(p99, 3)
            if args.processes:
                with AnvilDevnet() as anvil:
                    (timings,) = key_release_latency(
                        anvil,
                        n,
                        t,
                        args.releases,
                        Path(tmp) / f"{t}of{n}-processes",
                        [args.head_max_age],
                        processes=True,
                    )
                p50, p99 = statistics.median(timings), percentile(timings, 0.99)
                print(
                    f"key release t={t} n={n} (anvil chain, gatekeepers in {n} processes, head "
                    f"read at most every {args.head_max_age} s, {len(timings)} releases): "
                    f"p50 {p50:.2f} ms  p99 {p99:.2f} ms"
                )
                figures[f"key_release_p50_ms_t{t}n{n}_processes"] = round(p50, 3)
                figures[f"key_release_p99_ms_t{t}n{n}_processes"] = round(p99, 3)
    shares = share_rate(args.seconds)
    print(f"decryption shares with DLEQ proof: {shares:.0f}/s on one core")
    figures["decryption_shares_per_s"] = round(shares, 1)
    veritee_rate, raw_rate = verify_ratio(args.seconds)
    print(
        f"TDX quote verification: QuoteVerifier {veritee_rate:.0f}/s, dcap_qvl.verify "
        f"{raw_rate:.0f}/s, ratio {veritee_rate / raw_rate:.3f}"
    )
    figures["verify_ratio_vs_dcap_qvl"] = round(veritee_rate / raw_rate, 3)
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
