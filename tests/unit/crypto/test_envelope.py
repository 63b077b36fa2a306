"""Envelopes: round trips, one opaque error for every failure, RFC 9180 vectors, pyhpke interop."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import x25519
from pyhpke import AEADId, CipherSuite, KDFId, KEMId

from tests.unit.crypto.support import CHAIN_ID, CONTRACT, SeededRng
from veritee.crypto import envelope
from veritee.crypto.envelope import (
    MAX_PLAINTEXT,
    EnvelopeContext,
    Suite,
    X25519KeyPair,
    open_envelope,
    seal,
)
from veritee.exceptions import CryptoError, DecryptionError

VECTORS = Path(__file__).parents[2] / "vectors" / "crypto"
CONTEXT = EnvelopeContext("job-input", CHAIN_ID, CONTRACT, 42)
OPAQUE = "envelope could not be opened"
PYHPKE_AEAD = {Suite.CHACHA20: AEADId.CHACHA20_POLY1305, Suite.AES256_GCM: AEADId.AES256_GCM}


@pytest.fixture
def keys() -> X25519KeyPair:
    return X25519KeyPair.generate(SeededRng("envelope"))


def _pyhpke(suite: Suite) -> CipherSuite:
    return CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, PYHPKE_AEAD[suite])


@pytest.mark.parametrize("suite", list(Suite))
@pytest.mark.parametrize("plaintext", [b"", b"x", b"hello veritee" * 100])
def test_round_trip(keys: X25519KeyPair, suite: Suite, plaintext: bytes) -> None:
    sealed = seal(keys.public_bytes(), plaintext, CONTEXT, aad=b"job 42", suite=suite)
    assert sealed[:2] == bytes((0x01, suite))
    assert len(sealed) == 2 + 32 + len(plaintext) + 16
    assert open_envelope(keys, sealed, CONTEXT, aad=b"job 42") == plaintext
    assert open_envelope(keys.private_bytes(), sealed, CONTEXT, aad=b"job 42") == plaintext


def test_sealing_twice_differs(keys: X25519KeyPair) -> None:
    assert seal(keys.public_bytes(), b"m", CONTEXT) != seal(keys.public_bytes(), b"m", CONTEXT)


def test_every_flipped_byte_gives_the_same_error(keys: X25519KeyPair) -> None:
    sealed = seal(keys.public_bytes(), b"secret", CONTEXT)
    for position in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError) as caught:
            open_envelope(keys, bytes(tampered), CONTEXT)
        assert str(caught.value) == OPAQUE


@pytest.mark.parametrize(
    "change",
    [
        {"purpose": "job-output"},
        {"chain_id": CHAIN_ID + 1},
        {"contract": "0x" + "11" * 20},
        {"object_id": 43},
    ],
)
def test_wrong_context_field(keys: X25519KeyPair, change: dict[str, Any]) -> None:
    sealed = seal(keys.public_bytes(), b"secret", CONTEXT)
    with pytest.raises(DecryptionError, match=f"^{OPAQUE}$"):
        open_envelope(keys, sealed, replace(CONTEXT, **change))


def test_contract_letter_case_does_not_matter(keys: X25519KeyPair) -> None:
    sealed = seal(keys.public_bytes(), b"m", CONTEXT)
    lower = replace(CONTEXT, contract=CONTRACT.lower())
    assert open_envelope(keys, sealed, lower) == b"m"


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda e: e[:-1], id="truncated-tag"),
        pytest.param(lambda e: e[:40], id="truncated-body"),
        pytest.param(lambda e: e[:2], id="header-only"),
        pytest.param(lambda e: b"", id="empty"),
        pytest.param(lambda e: e + b"\x00", id="extended"),
        pytest.param(lambda e: b"\x02" + e[1:], id="bad-version"),
        pytest.param(lambda e: e[:1] + b"\x01" + e[2:], id="unknown-suite"),
        pytest.param(lambda e: e[:1] + b"\x02" + e[2:], id="other-suite"),
    ],
)
def test_malformed_envelopes(keys: X25519KeyPair, mangle: Callable[[bytes], bytes]) -> None:
    sealed = seal(keys.public_bytes(), b"secret", CONTEXT)
    with pytest.raises(DecryptionError, match=f"^{OPAQUE}$"):
        open_envelope(keys, mangle(sealed), CONTEXT)


def test_wrong_key_and_wrong_aad(keys: X25519KeyPair) -> None:
    sealed = seal(keys.public_bytes(), b"secret", CONTEXT, aad=b"a")
    other = X25519KeyPair.generate(SeededRng("other"))
    with pytest.raises(DecryptionError, match=f"^{OPAQUE}$"):
        open_envelope(other, sealed, CONTEXT, aad=b"a")
    with pytest.raises(DecryptionError, match=f"^{OPAQUE}$"):
        open_envelope(keys, sealed, CONTEXT, aad=b"b")
    with pytest.raises(DecryptionError, match=f"^{OPAQUE}$"):
        open_envelope(keys, sealed, CONTEXT)


def test_size_limits(keys: X25519KeyPair) -> None:
    with pytest.raises(ValueError, match="capsule"):
        seal(keys.public_bytes(), bytes(MAX_PLAINTEXT + 1), CONTEXT)
    with pytest.raises(ValueError, match="size limit"):
        open_envelope(keys, bytes(MAX_PLAINTEXT + 2 + 32 + 16 + 1), CONTEXT)


def test_bad_recipient_keys() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        seal(b"\x01" * 31, b"m", CONTEXT)
    with pytest.raises(CryptoError, match="not usable"):
        seal(bytes(32), b"m", CONTEXT)  # a low-order point: the shared secret would be zero


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("purpose", ""),
        ("chain_id", -1),
        ("object_id", 2**256),
        ("contract", "0x1234"),
        ("contract", "5FbDB2315678afecb367f032d93F642f64180aa3"),
    ],
)
def test_context_validation(field: str, value: Any) -> None:
    with pytest.raises(ValueError):
        replace(CONTEXT, **{field: value})


def test_info_binds_every_field_with_a_tag() -> None:
    info = CONTEXT.info()
    assert b"veritee/envelope/v1" in info
    assert bytes.fromhex(CONTRACT[2:]) in info
    assert info != replace(CONTEXT, object_id=43).info()


def test_key_pair_round_trip_and_repr(keys: X25519KeyPair) -> None:
    again = X25519KeyPair.from_private_bytes(keys.private_bytes())
    assert again.public_bytes() == keys.public_bytes()
    assert len(keys.public_bytes()) == 32
    assert keys.private_bytes().hex() not in repr(keys)
    with pytest.raises(ValueError):
        X25519KeyPair.from_private_bytes(b"short")


def test_private_hpke_functions_still_exist() -> None:
    # envelope relies on cryptography's single-shot HPKE with aad; fail loudly if it goes away.
    assert callable(envelope._encrypt_with_aad)
    assert callable(envelope._decrypt_with_aad)


@pytest.mark.parametrize("suite", list(Suite))
def test_veritee_seals_pyhpke_opens(keys: X25519KeyPair, suite: Suite) -> None:
    sealed = seal(keys.public_bytes(), b"interop", CONTEXT, aad=b"aad", suite=suite)
    hpke = _pyhpke(suite)
    recipient = hpke.create_recipient_context(
        sealed[2:34], hpke.kem.deserialize_private_key(keys.private_bytes()), info=CONTEXT.info()
    )
    assert recipient.open(sealed[34:], aad=b"aad") == b"interop"


@pytest.mark.parametrize("suite", list(Suite))
def test_pyhpke_seals_veritee_opens(keys: X25519KeyPair, suite: Suite) -> None:
    hpke = _pyhpke(suite)
    enc, sender = hpke.create_sender_context(
        hpke.kem.deserialize_public_key(keys.public_bytes()), info=CONTEXT.info()
    )
    sealed = bytes((0x01, suite)) + enc + sender.seal(b"interop", aad=b"aad")
    assert open_envelope(keys, sealed, CONTEXT, aad=b"aad") == b"interop"


def _rfc9180_a21() -> dict[str, Any]:
    vector: dict[str, Any] = json.loads(
        (VECTORS / "rfc9180_a2_1_x25519_chacha20poly1305_base.json").read_text()
    )
    return vector


def test_rfc9180_a21_opens_with_veritee() -> None:
    vector = _rfc9180_a21()
    first = vector["encryptions"][0]
    private = x25519.X25519PrivateKey.from_private_bytes(bytes.fromhex(vector["skRm"]))
    assert private.public_key().public_bytes_raw().hex() == vector["pkRm"]
    body = bytes.fromhex(vector["enc"] + first["ct"])
    plaintext = envelope._hpke_open(
        Suite.CHACHA20,
        private,
        body,
        bytes.fromhex(vector["info"]),
        bytes.fromhex(first["aad"]),
    )
    assert plaintext == bytes.fromhex(first["pt"])
    with pytest.raises(DecryptionError):  # a later sequence number is not a single-shot message
        envelope._hpke_open(
            Suite.CHACHA20,
            private,
            bytes.fromhex(vector["enc"] + vector["encryptions"][1]["ct"]),
            bytes.fromhex(vector["info"]),
            bytes.fromhex(first["aad"]),
        )


def test_rfc9180_a21_all_encryptions_with_pyhpke() -> None:
    vector = _rfc9180_a21()
    hpke = _pyhpke(Suite.CHACHA20)
    ephemeral = hpke.kem.derive_key_pair(bytes.fromhex(vector["ikmE"]))
    recipient = hpke.kem.derive_key_pair(bytes.fromhex(vector["ikmR"]))
    enc, sender = hpke.create_sender_context(
        recipient.public_key,
        info=bytes.fromhex(vector["info"]),
        eks=ephemeral,
    )
    assert enc.hex() == vector["enc"]
    expected = {e["sequence_number"]: e for e in vector["encryptions"]}
    for seq in range(max(expected) + 1):
        ct = sender.seal(bytes.fromhex(expected[0]["pt"]), aad=f"Count-{seq}".encode())
        if seq in expected:
            assert bytes.fromhex(expected[seq]["aad"]) == f"Count-{seq}".encode()
            assert ct.hex() == expected[seq]["ct"]
