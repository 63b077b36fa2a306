"""DEVELOPMENT ONLY: simulated quotes, signed by a software key on this machine.

A simulated quote proves nothing about hardware: whoever holds the platform key can sign any
measurement. It exists so that the whole network (workers, gatekeepers, contracts) runs the real
attestation flow on a laptop. The on-chain TeePolicy accepts simulated quotes only where
``allow_simulated`` is set, which must be true on development networks alone; every
:class:`~veritee.attestation.types.VerifiedQuote` from here has ``secure=False``.

The quote has the shape of a TDX v4 quote, so the same parsing, report data and measurement rules
apply, but it cannot be mistaken for one: its TEE type (``0x5E000081``), attestation key type
(``0x5E02``) and QE vendor id (``VERITEE SIMULATE``) are values Intel never uses, and dcap-qvl
rejects it. Layout::

    header (48)      version 4 | key type 0x5E02 | TEE type 0x5E000081 | 0 | 0
                     | "VERITEE SIMULATE" | key id (12) ‖ issued at (uint64 LE)
    TD report (584)  MRTD = SHA-384 of the installed code and configuration (see code_measurement)
    length (4)       128
    signature (128)  ECDSA P-256 / SHA-256 over header ‖ TD report: r ‖ s (low s) ‖ public key X ‖ Y
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import struct
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from veritee.attestation.code_measurement import code_measurement
from veritee.attestation.provider import TeeProvider, check_report_data_length
from veritee.attestation.quote_format import (
    SIMULATED_ATTESTATION_KEY_TYPE,
    SIMULATED_QE_VENDOR_ID,
    SIMULATED_TEE_TYPE,
    encode_header,
    encode_td_report,
    parse_quote,
)
from veritee.attestation.types import Quote, VerifiedQuote, measurement_digest
from veritee.chain.types import TcbStatus, TeeKind
from veritee.exceptions import ConfigError, QuoteError

__all__ = [
    "SimulatedPlatform",
    "SimulatedProvider",
    "build_simulated_quote",
    "default_platform_dir",
    "load_platform_public_key",
    "platform_key_bytes",
    "verify_simulated",
]

_log = logging.getLogger(__name__)
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_SIGNATURE_DATA_LENGTH = 128
_CLOCK_SKEW_S = 300
_PRIVATE_KEY_FILE = "platform-key.pem"
_PUBLIC_KEY_FILE = "platform-public-key.pem"


def default_platform_dir() -> Path:
    """``$VERITEE_HOME/simulated-platform`` (``VERITEE_HOME`` defaults to ``~/.veritee``)."""
    return Path(os.environ.get("VERITEE_HOME") or Path.home() / ".veritee") / "simulated-platform"


def platform_key_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    """A platform public key as the 64 bytes ``X ‖ Y`` a simulated quote embeds."""
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )[1:]


def load_platform_public_key(key: bytes | ec.EllipticCurvePublicKey) -> ec.EllipticCurvePublicKey:
    """A platform public key from PEM, a 65-byte SEC1 point or 64 raw bytes ``X ‖ Y``."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        loaded: object = key
    else:
        try:
            if key.lstrip().startswith(b"-----BEGIN"):
                loaded = serialization.load_pem_public_key(key)
            else:
                point = b"\x04" + key if len(key) == 64 else key
                loaded = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError as exc:
            raise ConfigError(f"not a simulated platform public key: {exc}") from exc
    if not isinstance(loaded, ec.EllipticCurvePublicKey) or loaded.curve.name != "secp256r1":
        raise ConfigError("a simulated platform public key must be an ECDSA P-256 key")
    return loaded


class SimulatedPlatform:
    """The software "platform" key that signs simulated quotes (ECDSA P-256)."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if private_key.curve.name != "secp256r1":
            raise ConfigError("a simulated platform key must be an ECDSA P-256 key")
        self._private_key = private_key
        self.public_key = private_key.public_key()
        #: 64 bytes ``X ‖ Y``: what a development network's gatekeepers pin.
        self.public_key_bytes = platform_key_bytes(self.public_key)
        #: First 12 bytes of SHA-256 of :attr:`public_key_bytes`, written into each quote header.
        self.key_id = hashlib.sha256(self.public_key_bytes).digest()[:12]

    @classmethod
    def generate(cls) -> SimulatedPlatform:
        """A new, unpersisted platform key."""
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def load_or_create(cls, directory: str | Path | None = None) -> SimulatedPlatform:
        """The key persisted under ``directory`` (default :func:`default_platform_dir`).

        Creates and persists one (private key mode 0600, public key beside it) the first time;
        concurrent first calls agree on a single key.
        """
        base = Path(directory) if directory is not None else default_platform_dir()
        key_path = base / _PRIVATE_KEY_FILE
        if not key_path.exists():
            base.mkdir(parents=True, exist_ok=True, mode=0o700)
            platform = cls.generate()
            pem = platform._private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            staging = base / f".{_PRIVATE_KEY_FILE}.{os.getpid()}.{time.monotonic_ns()}"
            descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
            try:
                os.link(staging, key_path)  # atomic, and fails if another process won the race
            except FileExistsError:
                pass
            finally:
                staging.unlink()
        try:
            private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"cannot load the simulated platform key {key_path}: {exc}") from exc
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            raise ConfigError(f"{key_path} is not an ECDSA P-256 key")
        platform = cls(private_key)
        public_path = base / _PUBLIC_KEY_FILE
        if not public_path.exists():
            public_path.write_bytes(platform.public_key_pem())
        return platform

    def public_key_pem(self) -> bytes:
        """The public key as PEM, to hand to a development network's gatekeepers."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message: bytes) -> bytes:
        """64 bytes ``r ‖ s`` with low ``s``: ECDSA P-256 / SHA-256 over ``message``."""
        r, s = decode_dss_signature(self._private_key.sign(message, ec.ECDSA(hashes.SHA256())))
        s = min(s, _P256_ORDER - s)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def build_simulated_quote(
    platform: SimulatedPlatform,
    report_data: bytes,
    registers: Mapping[str, bytes],
    issued_at: int,
) -> bytes:
    """A simulated quote over ``registers`` (TD report names; missing ones are zero)."""
    header = encode_header(
        version=4,
        attestation_key_type=SIMULATED_ATTESTATION_KEY_TYPE,
        tee_type=SIMULATED_TEE_TYPE,
        qe_vendor_id=SIMULATED_QE_VENDOR_ID,
        user_data=platform.key_id + struct.pack("<Q", issued_at),
    )
    signed = header + encode_td_report(registers, check_report_data_length(report_data))
    signature = platform.sign(signed) + platform.public_key_bytes
    return signed + struct.pack("<I", len(signature)) + signature


def verify_simulated(
    raw: bytes, platform_public_key: bytes | ec.EllipticCurvePublicKey, now: int
) -> VerifiedQuote:
    """Verifies a simulated quote against the pinned platform key; raises :class:`QuoteError`.

    Any changed byte fails: the header and TD report are signed, the signature must be canonical
    (low ``s``), the embedded public key must be the pinned one and nothing may follow the
    signature. A quote issued more than five minutes after ``now`` is refused.
    """
    parsed = parse_quote(raw)
    if (
        parsed.kind != TeeKind.SIMULATED
        or parsed.version != 4
        or parsed.attestation_key_type != SIMULATED_ATTESTATION_KEY_TYPE
        or parsed.qe_vendor_id != SIMULATED_QE_VENDOR_ID
    ):
        raise QuoteError("not a simulated quote: its header does not carry the simulated markers")
    signature = parsed.signature_data
    if len(signature) != _SIGNATURE_DATA_LENGTH or parsed.signed_length + 4 + len(signature) != len(
        raw
    ):
        raise QuoteError("malformed simulated quote: bad signature data length or trailing bytes")
    key = load_platform_public_key(platform_public_key)
    if not hmac.compare_digest(signature[64:], platform_key_bytes(key)):
        raise QuoteError("simulated quote is signed by another platform key than the pinned one")
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
    if not (0 < r < _P256_ORDER and 0 < s <= _P256_ORDER // 2):
        raise QuoteError("simulated quote signature is not canonical")
    try:
        key.verify(
            encode_dss_signature(r, s), raw[: parsed.signed_length], ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        raise QuoteError("simulated quote signature is invalid") from None
    (issued_at,) = struct.unpack("<Q", parsed.user_data[12:])
    if issued_at > now + _CLOCK_SKEW_S:
        raise QuoteError(f"simulated quote is issued at {issued_at}, after now ({now})")
    return VerifiedQuote(
        kind=TeeKind.SIMULATED,
        tcb_status=TcbStatus.UP_TO_DATE,
        advisory_ids=(),
        registers=MappingProxyType(dict(parsed.registers)),
        report_data=parsed.report_data,
        measurement=measurement_digest(TeeKind.SIMULATED, parsed.registers),
        quote_hash=hashlib.sha256(raw).digest(),
        secure=False,
        verified_at=now,
    )


class SimulatedProvider(TeeProvider):
    """DEVELOPMENT ONLY: quotes signed by a local software key; ``secure`` is always False.

    ``config`` is the worker configuration that, with the installed code, makes up MRTD.
    The platform key is ``platform`` if given, else the one persisted under ``key_dir``
    (default ``$VERITEE_HOME/simulated-platform``).
    """

    kind = TeeKind.SIMULATED
    secure = False

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        key_dir: str | Path | None = None,
        platform: SimulatedPlatform | None = None,
        package_root: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.platform = (
            platform if platform is not None else SimulatedPlatform.load_or_create(key_dir)
        )
        self._clock = clock
        mrtd = code_measurement(config or {}, package_root)
        self.registers: Mapping[str, bytes] = MappingProxyType(
            {"mrtd": mrtd, **{f"rtmr{index}": bytes(48) for index in range(4)}}
        )
        _log.warning(
            "SIMULATED TEE in use (development only): quotes prove nothing about hardware; "
            "platform key id %s",
            self.platform.key_id.hex(),
        )

    def get_quote(self, report_data: bytes) -> Quote:
        """A simulated quote over this worker's code measurement and ``report_data``."""
        raw = build_simulated_quote(
            self.platform, report_data, self.registers, issued_at=int(self._clock())
        )
        return Quote(kind=TeeKind.SIMULATED, raw=raw)

    def measurement(self) -> bytes:
        """The ``bytes32`` measurement of this worker's code and configuration."""
        return measurement_digest(TeeKind.SIMULATED, self.registers)
