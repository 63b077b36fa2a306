"""Registering a sealed capsule with the Capsules contract.

The capsule's header names the chain and the Capsules contract its key is bound to; registering
it anywhere else would record a capsule no gatekeeper could ever open, so that is refused here,
before any gas is spent. So is a blob URI that names other bytes than the capsule's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from veritee.blobs.addressing import parse_blob_uri
from veritee.capsule.sealing import SealedCapsule
from veritee.exceptions import BlobError

if TYPE_CHECKING:  # web3 is a heavy import that opening a capsule does not need
    from veritee.chain.clients import CapsulesClient
    from veritee.chain.types import CapsuleId

__all__ = ["register_capsule"]


def register_capsule(
    capsules: CapsulesClient,
    sealed: SealedCapsule,
    uri: str,
    *,
    allowed_models: Sequence[int] = (),
    price: int = 0,
    max_uses: int = 0,
    expiry: int = 0,
) -> CapsuleId:
    """Register ``sealed``, stored at ``uri``, with its policy; returns the new capsule id.

    Records the capsule's SHA-256, ``uri`` and ``R``. ``allowed_models`` empty means any verified
    model, ``max_uses`` 0 unlimited, ``expiry`` 0 never. Raises ValueError if the capsule was
    sealed for another Capsules contract or chain, or if ``uri`` is a blob URI naming another
    digest; a contract revert raises ContractRevert.
    """
    header = sealed.header
    if header.contract.lower() != capsules.address.lower():
        raise ValueError(
            f"the capsule is sealed for the Capsules contract {header.contract}, "
            f"not {capsules.address}: seal it again for this contract"
        )
    chain_id = int(capsules.w3.eth.chain_id)
    if header.chain_id != chain_id:
        raise ValueError(
            f"the capsule is sealed for chain {header.chain_id}, not chain {chain_id}: "
            "seal it again for this chain"
        )
    try:
        _, digest = parse_blob_uri(uri)
    except BlobError:
        digest = None  # not a blob URI (another kind of storage): nothing to cross-check
    if digest is not None and digest != sealed.digest:
        raise ValueError(f"uri {uri!r} names blob {digest}, but the capsule is {sealed.digest}")
    return capsules.register(
        sealed.ciphertext_sha256,
        uri,
        sealed.r.xy,
        allowed_models=allowed_models,
        price=price,
        max_uses=max_uses,
        expiry=expiry,
    )
