"""Quote verification throughput: veritee's QuoteVerifier against raw ``dcap_qvl.verify``.

Prints verifications per second for each and their ratio, measured in the same run on the
upstream TDX and SGX samples with a fixed ``now``. Collateral is parsed once on both sides.

    .venv/bin/python bench/attestation_verify.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

import dcap_qvl

from veritee.attestation import FileCollateral, QuotePolicy, QuoteVerifier

VECTORS = Path(__file__).resolve().parents[1] / "tests" / "vectors" / "dcap"


def rate(function: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``function`` over about ``seconds``."""
    function()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            function()
        count += 50
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    for name in ("tdx", "sgx"):
        raw = (VECTORS / f"{name}_quote").read_bytes()
        path = VECTORS / f"{name}_quote_collateral.json"
        text = path.read_text()
        issued = json.loads(json.loads(text)["tcb_info"])["issueDate"]
        now = int(datetime.fromisoformat(issued.replace("Z", "+00:00")).timestamp()) + 86_400
        collateral = dcap_qvl.QuoteCollateralV3.from_json(text)
        verifier = QuoteVerifier(FileCollateral(path), QuotePolicy.any_status())
        raw_rate = rate(partial(dcap_qvl.verify, raw, collateral, now), args.seconds)
        veritee_rate = rate(partial(verifier.verify, raw, now=now), args.seconds)
        print(
            f"{name}: dcap_qvl.verify {raw_rate:8.0f}/s  QuoteVerifier.verify {veritee_rate:8.0f}/s"
            f"  ratio {veritee_rate / raw_rate:.3f}"
        )


if __name__ == "__main__":
    main()
