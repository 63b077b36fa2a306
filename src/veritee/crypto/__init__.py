"""veritee.crypto: the cryptographic recipes every other part calls.

- EIP-712 typed data (:mod:`~.typed_data`): the digests the contracts check, signing, recovery;
- envelopes (:mod:`~.envelope`): HPKE messages sealed to one X25519 key, bound to their context;
- secp256k1 points (:mod:`~.secp256k1`) and the threshold gatekeeper recipes
  (:mod:`~.threshold`): DKG, resharing, verified decryption shares, threshold ECIES for capsules
  and named keys.
"""

from veritee.crypto.envelope import EnvelopeContext, Suite, X25519KeyPair, open_envelope, seal
from veritee.crypto.secp256k1 import Point
from veritee.crypto.threshold import (
    CapsuleContext,
    CeremonyContext,
    DecryptionShare,
    DerivedKey,
    DkgParticipant,
    KeyShare,
    ReshareDealer,
    ReshareReceiver,
    combine_decryption_shares,
    combine_secret,
    data_key_from_shares,
    derive_named_key,
    make_named_share,
    make_share,
    seal_capsule_key,
    seal_key_to_network,
    split,
)
from veritee.crypto.typed_data import (
    Certificate,
    Domain,
    JobResult,
    address_of,
    batch_digest,
    certificate_digest,
    network_key_digest,
    recover_digest,
    sign_digest,
)

__all__ = [
    "CapsuleContext",
    "CeremonyContext",
    "Certificate",
    "DecryptionShare",
    "DerivedKey",
    "DkgParticipant",
    "Domain",
    "EnvelopeContext",
    "JobResult",
    "KeyShare",
    "Point",
    "ReshareDealer",
    "ReshareReceiver",
    "Suite",
    "X25519KeyPair",
    "address_of",
    "batch_digest",
    "certificate_digest",
    "combine_decryption_shares",
    "combine_secret",
    "data_key_from_shares",
    "derive_named_key",
    "make_named_share",
    "make_share",
    "network_key_digest",
    "open_envelope",
    "recover_digest",
    "seal",
    "seal_capsule_key",
    "seal_key_to_network",
    "sign_digest",
    "split",
]
