"""Gatekeeper benchmarks: key-release latency, decryption-share throughput, quote verification.

Prints its figures, and as the last line one JSON object with ``key_release_p50_ms_t2n3``,
``key_release_p99_ms_t2n3``, ``key_release_p50_ms_t3n5``, ``key_release_p99_ms_t3n5``,
``decryption_shares_per_s`` and ``verify_ratio_vs_dcap_qvl``.

- Key release: a worker recovers a capsule's data key from ``t`` of ``n`` gatekeepers over
  loopback HTTP (the servers run in this process, each in its own thread and event loop; the
  chain is the embedded one, or anvil with ``--chain anvil``): signing the request, the
  gatekeepers' authentication, chain reads (cached per block), policy, DLEQ share and envelope,
  audit log write, then opening, verifying and combining on the worker's side.
- Decryption shares: ``make_share`` (share and DLEQ proof) per second on one core.
- Verification: quotes per second through veritee's ``QuoteVerifier`` over raw
  ``dcap_qvl.verify``, on the TDX vector with a fixed ``now``, measured in the same run.

    .venv/bin/python bench/gatekeeper.py [--releases 200] [--chain embedded|anvil]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path

import dcap_qvl
from eth_utils import keccak

from veritee.attestation import FileCollateral, QuotePolicy, QuoteVerifier
from veritee.chain import AnvilDevnet, ChainBackend, EmbeddedChain, JobRequest
from veritee.chain.devnet import deploy_dev_network
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import mul_base
from veritee.crypto.threshold import CapsuleContext, make_share, seal_capsule_key
from veritee.crypto.typed_data import address_of
from veritee.gatekeeper.client import GatekeeperClient
from veritee.gatekeeper.config import GatekeeperConfig
from veritee.gatekeeper.local import LocalGatekeepers

VECTORS = Path(__file__).resolve().parents[1] / "tests" / "vectors" / "dcap"
TOKEN = 10**18


def key_release_latency(
    backend: ChainBackend, n: int, t: int, releases: int, data_dir: Path, head_max_ages: list[float]
) -> list[list[float]]:
    """Milliseconds per capsule-key release, ``releases`` sequential releases per head setting."""
    devnet = deploy_dev_network(backend, gatekeepers=n, threshold=t)
    admin = devnet.network(0)
    admin.token.transfer(devnet.sender(1).address, 10_000 * TOKEN)
    admin.token.transfer(devnet.sender(2).address, 10_000 * TOKEN)
    # Limits sized for a benchmark that asks far faster than any worker would.
    gatekeepers = LocalGatekeepers(devnet, data_dir, rate_limit=1e9, rate_burst=10**9)
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
            for node in gatekeepers.nodes.values():
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
