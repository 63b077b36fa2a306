"""``veritee attest``: inspect and verify TEE attestation quotes."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from veritee.attestation.collateral import FileCollateral, PccsCollateral
from veritee.attestation.policy import QuotePolicy
from veritee.attestation.types import VerifiedQuote
from veritee.attestation.verify import QuoteVerifier
from veritee.chain.types import TcbStatus
from veritee.cli.output import console, emit_json, error_console
from veritee.exceptions import ConfigError, QuoteError, VeriteeError

app = typer.Typer(help="Inspect and verify TEE attestation quotes.", no_args_is_help=True)

_HEX = re.compile(r"[0-9a-fA-F]+")


def read_quote(data: bytes) -> bytes:
    """A quote from a file's bytes: raw binary, or hex text (optional ``0x``, any whitespace)."""
    try:
        text = "".join(data.decode("ascii").split())
    except UnicodeDecodeError:
        return data
    text = text.removeprefix("0x").removeprefix("0X")
    if text and _HEX.fullmatch(text):
        if len(text) % 2:
            raise QuoteError("hex quote has an odd number of digits")
        return bytes.fromhex(text)
    return data


def _tcb_status(name: str) -> TcbStatus:
    key = name.strip().upper().replace("-", "_")
    aliases = {status.name.replace("_", ""): status for status in TcbStatus}
    status = TcbStatus.__members__.get(key) or aliases.get(key.replace("_", ""))
    if status is None:
        raise ConfigError(f"unknown TCB status {name!r}: one of {', '.join(TcbStatus.__members__)}")
    return status


@app.command("verify")
def verify(
    quote: Annotated[
        Path,
        typer.Option(
            "--quote", metavar="FILE", help="Quote file: raw binary or hex; '-' reads stdin."
        ),
    ],
    collateral: Annotated[
        Path | None,
        typer.Option(
            "--collateral",
            metavar="FILE",
            help="Collateral JSON file (default: fetch from a PCCS).",
        ),
    ] = None,
    now: Annotated[
        int | None,
        typer.Option(
            "--now", metavar="UNIX", help="Verification time, Unix seconds (default: now)."
        ),
    ] = None,
    pccs_url: Annotated[
        str | None, typer.Option("--pccs-url", metavar="URL", help="PCCS to fetch collateral from.")
    ] = None,
    accept_tcb: Annotated[
        list[str] | None,
        typer.Option(
            "--accept-tcb",
            metavar="STATUS",
            help="Accept only these TCB statuses (repeatable, e.g. UP_TO_DATE); "
            "default: any but REVOKED, reported as is.",
        ),
    ] = None,
    reject_advisory: Annotated[
        list[str] | None,
        typer.Option(
            "--reject-advisory", metavar="ID", help="Reject quotes with this advisory (repeatable)."
        ),
    ] = None,
    platform_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--platform-key",
            metavar="PEM",
            help="Simulated platform public key (PEM) to accept simulated quotes from "
            "(development networks only; repeatable).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Verify a quote and print its claims: TEE, TCB status, measurements, report data."""
    try:
        raw = read_quote(sys.stdin.buffer.read() if str(quote) == "-" else _read(quote))
        policy = (
            QuotePolicy(accepted_tcb=frozenset(_tcb_status(s) for s in accept_tcb))
            if accept_tcb
            else QuotePolicy.any_status()
        )
        policy = QuotePolicy(
            policy.accepted_tcb, frozenset(reject_advisory or ()), policy.grace_period_s
        )
        source = FileCollateral(collateral) if collateral else PccsCollateral(pccs_url)
        keys = [_read(path) for path in platform_key or ()]
        verifier = QuoteVerifier(source, policy, simulated_platform_keys=keys)
        verified = verifier.verify(raw, now=now)
    except VeriteeError as exc:
        if as_json:
            emit_json({"ok": False, "error": str(exc), "kind": type(exc).__name__})
        else:
            error_console.print(f"[red]verification failed ({type(exc).__name__}):[/red] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        emit_json({"ok": True, **verified.to_json_dict()})
    else:
        _print_claims(verified)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def _print_claims(verified: VerifiedQuote) -> None:
    table = Table(title="verified quote", show_header=False, title_justify="left")
    table.add_column("claim", style="bold")
    table.add_column("value", overflow="fold")
    secure = "yes" if verified.secure else "[red]NO: simulated, development only[/red]"
    table.add_row("TEE", verified.kind.name.lower())
    table.add_row("secure hardware", secure)
    table.add_row("TCB status", verified.tcb_status.name)
    table.add_row("advisories", ", ".join(verified.advisory_ids) or "none")
    table.add_row("measurement", "0x" + verified.measurement.hex())
    table.add_row("quote hash", "0x" + verified.quote_hash.hex())
    table.add_row("report data", "0x" + verified.report_data.hex())
    for name, value in verified.registers.items():
        table.add_row(name, "0x" + value.hex())
    table.add_row("verified at", str(verified.verified_at))
    console.print(table)
