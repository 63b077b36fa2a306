"""A capsule end to end on the embedded chain: seal, store, register, then open from the chain.

The development network's key is not published, so the capsule is sealed to a network key whose
secret this test holds; everything else is as in production: the capsule goes into a blob
store, ``register_capsule`` records it, and the opener rebuilds ``R``, the context and the blob
location from the Capsules contract alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from veritee.blobs import LocalBlobStore, fetch
from veritee.capsule import open_bytes, read_header, register_capsule, seal_bytes
from veritee.chain import EmbeddedChain
from veritee.chain.devnet import DevNetwork, deploy_dev_network
from veritee.crypto.secp256k1 import Point, mul, mul_base
from veritee.crypto.threshold import CapsuleContext, data_key_from_point
from veritee.exceptions import ContractRevert

SECRET = 0xC0FFEE_5EC12E7
NETWORK_KEY = mul_base(SECRET)
OWNER = 4


@pytest.fixture(scope="module")
def devnet() -> Iterator[DevNetwork]:
    with EmbeddedChain() as backend:
        yield deploy_dev_network(backend)


def test_a_registered_capsule_opens_from_what_the_chain_records(
    devnet: DevNetwork, tmp_path: Path
) -> None:
    capsules = devnet.network(OWNER).capsules
    chain_id = int(devnet.backend.w3.eth.chain_id)
    plaintext = b"age,income\n41,52000\n" * 1000
    capsule, sealed = seal_bytes(
        plaintext,
        network_key=NETWORK_KEY,
        chain_id=chain_id,
        capsules=capsules.address,
        content_type="text/csv",
        chunk_size=4096,
    )
    store = LocalBlobStore(tmp_path)
    uri = store.uri(store.put(capsule))
    capsule_id = register_capsule(capsules, sealed, uri, allowed_models=[1], price=7, max_uses=3)

    info = capsules.capsule(capsule_id)
    assert info.owner == devnet.sender(OWNER).address
    assert info.ciphertext_sha256 == sealed.ciphertext_sha256
    assert info.uri == uri and info.r == sealed.r.xy
    assert (info.price, info.max_uses, info.allowed_models) == (7, 3, (1,))

    # The opener's side: only the chain's record, the blob store and the released key.
    fetched = fetch(info.uri, expected=info.ciphertext_sha256)
    r = Point.from_xy(*info.r)
    context = CapsuleContext.for_ephemeral(r, chain_id, capsules.address)
    assert read_header(fetched).context == context
    data_key = data_key_from_point(mul(SECRET, r), context)  # what t gatekeepers release
    assert open_bytes(fetched, data_key) == plaintext


def test_registering_the_same_capsule_twice_is_refused_by_the_contract(
    devnet: DevNetwork,
) -> None:
    capsules = devnet.network(OWNER).capsules
    _, sealed = seal_bytes(
        b"x",
        network_key=NETWORK_KEY,
        chain_id=int(devnet.backend.w3.eth.chain_id),
        capsules=capsules.address,
    )
    register_capsule(capsules, sealed, "https://blobs.example.org/" + sealed.digest)
    with pytest.raises(ContractRevert, match="Capsules: R already registered"):
        register_capsule(capsules, sealed, "https://blobs.example.org/" + sealed.digest)


def test_a_capsule_sealed_for_elsewhere_is_refused_before_any_transaction(
    devnet: DevNetwork,
) -> None:
    capsules = devnet.network(OWNER).capsules
    chain_id = int(devnet.backend.w3.eth.chain_id)
    registered = len(capsules.events("CapsuleRegistered"))
    _, sealed = seal_bytes(
        b"x", network_key=NETWORK_KEY, chain_id=chain_id, capsules="0x" + "11" * 20
    )
    with pytest.raises(ValueError, match="sealed for the Capsules contract 0x1111"):
        register_capsule(capsules, sealed, "blob-uri")
    _, sealed = seal_bytes(
        b"x", network_key=NETWORK_KEY, chain_id=chain_id + 1, capsules=capsules.address
    )
    with pytest.raises(ValueError, match=f"sealed for chain {chain_id + 1}, not chain {chain_id}"):
        register_capsule(capsules, sealed, "blob-uri")
    _, sealed = seal_bytes(
        b"x", network_key=NETWORK_KEY, chain_id=chain_id, capsules=capsules.address
    )
    wrong = dataclasses.replace(sealed, ciphertext_sha256=bytes(32))
    with pytest.raises(ValueError, match=r"names blob .*, but the capsule is 0000"):
        register_capsule(capsules, wrong, "http://127.0.0.1:1/blobs/" + sealed.digest)
    assert len(capsules.events("CapsuleRegistered")) == registered
