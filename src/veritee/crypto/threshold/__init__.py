"""Threshold gatekeepers: the network secret, shared so that no party ever holds it.

- :mod:`~.shamir` Shamir sharing over Z_N and interpolation, also in the exponent;
- :mod:`~.feldman` Feldman commitments and the :class:`KeyShare` a gatekeeper holds;
- :mod:`~.messages`, :mod:`~.dealing` the deal / complaint / reveal round both ceremonies share;
- :mod:`~.dkg` distributed key generation (JF-DKG); :mod:`~.reshare` resharing that keeps ``S``;
- :mod:`~.dleq` Chaum-Pedersen proofs; :mod:`~.decryption` verified shares of ``s·R``;
- :mod:`~.ecies` capsule data keys sealed to ``S``; :mod:`~.named_keys` keys named by a context,
  on top of :mod:`~.hash_to_curve` (RFC 9380).

The hash-to-curve functions stay in their module (``hash_to_curve`` would otherwise shadow it).
Two functions are re-exported under clearer names: ``shamir.combine`` as :func:`combine_secret`
and ``decryption.combine`` as :func:`combine_decryption_shares`.
"""

from veritee.crypto.threshold.decryption import (
    CombineResult,
    DecryptionShare,
    DerivedKey,
    make_share,
    verify_share,
)
from veritee.crypto.threshold.decryption import combine as combine_decryption_shares
from veritee.crypto.threshold.dkg import DkgParticipant, dkg_session_id
from veritee.crypto.threshold.dleq import DleqProof
from veritee.crypto.threshold.ecies import (
    CapsuleContext,
    data_key_from_point,
    data_key_from_shares,
    seal_capsule_key,
    seal_key_to_network,
)
from veritee.crypto.threshold.feldman import KeyShare
from veritee.crypto.threshold.messages import CeremonyContext, Complaint, DealMessage, Reveal
from veritee.crypto.threshold.named_keys import (
    derive_named_key,
    make_named_share,
    named_key_from_point,
    named_point,
    verify_named_share,
)
from veritee.crypto.threshold.reshare import ReshareDealer, ReshareReceiver, reshare_session_id
from veritee.crypto.threshold.shamir import Share, combine_points, lagrange_coefficient, split
from veritee.crypto.threshold.shamir import combine as combine_secret

__all__ = [
    "CapsuleContext",
    "CeremonyContext",
    "CombineResult",
    "Complaint",
    "DealMessage",
    "DecryptionShare",
    "DerivedKey",
    "DkgParticipant",
    "DleqProof",
    "KeyShare",
    "ReshareDealer",
    "ReshareReceiver",
    "Reveal",
    "Share",
    "combine_decryption_shares",
    "combine_points",
    "combine_secret",
    "data_key_from_point",
    "data_key_from_shares",
    "derive_named_key",
    "dkg_session_id",
    "lagrange_coefficient",
    "make_named_share",
    "make_share",
    "named_key_from_point",
    "named_point",
    "reshare_session_id",
    "seal_capsule_key",
    "seal_key_to_network",
    "split",
    "verify_named_share",
    "verify_share",
]
