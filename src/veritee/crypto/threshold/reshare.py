"""Resharing the network secret from an old ``(t, n)`` set to a new ``(t', n')`` set, keeping ``S``.

Each old holder ``i`` deals a polynomial ``g_i`` of degree ``t' - 1`` with ``g_i(0) = s_i``, its old
share: it broadcasts Feldman commitments (whose ``C_i0`` must equal its old public share ``S_i``,
which is on chain) and seals ``g_i(j)`` to each new holder ``j``. Complaints and reveals settle the
qualified old dealers ``Q`` (at least ``t`` of them). New holder ``j`` then holds
``s'_j = Σ_{i∈Q} λ_i·g_i(j)`` with ``λ_i`` the Lagrange coefficients of ``Q`` at 0; these are shares
of ``Σ λ_i·s_i = s``. The new public shares come from the ``λ``-weighted commitments, and the new
holder checks that their constant term is still ``S`` before accepting.

A gatekeeper in both sets runs a :class:`ReshareDealer` and a :class:`ReshareReceiver`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from veritee.crypto._common import Rng, default_rng, uint_bytes
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import N, Point
from veritee.crypto.threshold.dealing import DealingReceiver, seal_share
from veritee.crypto.threshold.feldman import KeyShare, commit, public_shares, sum_commitments
from veritee.crypto.threshold.messages import (
    CeremonyContext,
    Complaint,
    DealMessage,
    Reveal,
    roster,
    session_digest,
)
from veritee.crypto.threshold.shamir import Polynomial, check_parameters, lagrange_coefficient
from veritee.exceptions import ThresholdError

__all__ = ["ReshareDealer", "ReshareReceiver", "reshare_session_id"]

_TAG = b"veritee/reshare/v1"


def reshare_session_id(
    ceremony: CeremonyContext,
    old_t: int,
    old_public_key: Point,
    old_public_shares: Mapping[int, Point],
    new_t: int,
    new_keys: Mapping[int, bytes],
) -> bytes:
    """The session id both sides compute: old key and shares, new threshold and roster."""
    old_n, ordered = len(old_public_shares), roster(new_keys, len(new_keys))
    check_parameters(old_t, old_n)
    check_parameters(new_t, len(ordered))
    if set(old_public_shares) != set(range(1, old_n + 1)):
        raise ValueError(f"old public shares must cover indices 1..{old_n}")
    return session_digest(
        _TAG,
        ceremony,
        uint_bytes(old_t, 2),
        uint_bytes(old_n, 2),
        old_public_key.compressed,
        *(old_public_shares[i].compressed for i in range(1, old_n + 1)),
        uint_bytes(new_t, 2),
        uint_bytes(len(ordered), 2),
        *ordered.values(),
    )


class ReshareDealer:
    """An old holder's side: deal its share to the new set and answer complaints."""

    def __init__(
        self,
        key_share: KeyShare,
        new_t: int,
        new_keys: Mapping[int, bytes],
        ceremony: CeremonyContext,
        *,
        rng: Rng = default_rng,
    ) -> None:
        self.index, self.ceremony = key_share.index, ceremony
        self._keys = roster(new_keys, len(new_keys))
        self.session_id = reshare_session_id(
            ceremony, key_share.t, key_share.public_key, key_share.public_shares, new_t, new_keys
        )
        self._polynomial = Polynomial.random(key_share.secret, new_t - 1, rng)
        self._deal: DealMessage | None = None

    def _share_for(self, recipient: int) -> int:
        return self._polynomial(recipient)

    def deal(self) -> DealMessage:
        """Commitments (``C_0`` is our old public share) and a sealed share per new holder.

        Idempotent: a second call returns the same message.
        """
        if self._deal is None:
            shares = {
                j: seal_share(
                    self.ceremony, self.session_id, self.index, j, key, self._share_for(j)
                )
                for j, key in self._keys.items()
            }
            self._deal = DealMessage(self.session_id, self.index, commit(self._polynomial), shares)
        return self._deal

    def answer(self, complaint: Complaint) -> Reveal:
        """Answer a complaint against us by revealing the disputed share."""
        if complaint.session_id != self.session_id:
            raise ThresholdError("complaint belongs to another session; not answered")
        if complaint.dealer != self.index or complaint.complainer not in self._keys:
            raise ThresholdError("complaint is not about a share we dealt")
        if self._deal is None:
            raise ThresholdError("protocol step out of order: we have not dealt")
        share = self._share_for(complaint.complainer)
        return Reveal(self.session_id, self.index, complaint.complainer, share)


class ReshareReceiver:
    """A new holder's side: check deals, resolve the qualified old dealers, derive a new share.

    The old threshold, public key and public shares are public (on chain); ``new_keys`` maps every
    new index 1..n' to its X25519 key, ours included.
    """

    def __init__(
        self,
        index: int,
        encryption_key: X25519KeyPair,
        new_t: int,
        new_keys: Mapping[int, bytes],
        old_t: int,
        old_public_key: Point,
        old_public_shares: Mapping[int, Point],
        ceremony: CeremonyContext,
    ) -> None:
        if new_keys.get(index) != encryption_key.public_bytes():
            raise ValueError("new_keys must hold our own X25519 public key at our index")
        self.index, self.t, self.n = index, new_t, len(new_keys)
        self.public_key = old_public_key
        self.session_id = reshare_session_id(
            ceremony, old_t, old_public_key, old_public_shares, new_t, new_keys
        )
        self._receiver = DealingReceiver(
            index=index,
            t=new_t,
            dealers=old_public_shares.keys(),
            recipients=new_keys.keys(),
            session_id=self.session_id,
            ceremony=ceremony,
            key=encryption_key,
            min_qualified=old_t,
            expected_constants=old_public_shares,
        )

    def receive(self, deal: DealMessage) -> Complaint | None:
        """Check an old holder's deal; returns a complaint to broadcast, or None.

        A deal whose ``C_0`` is not the dealer's old public share draws a complaint and
        disqualifies the dealer. Raises ThresholdError for a deal of another session.
        """
        return self._receiver.receive(deal)

    def resolve(self, complaints: Iterable[Complaint], reveals: Iterable[Reveal]) -> frozenset[int]:
        """Decide the qualified old dealers (at least old ``t``) from all complaints and reveals."""
        return self._receiver.resolve(complaints, reveals)

    def finalize(self) -> KeyShare:
        """Our new key share of the unchanged network key.

        Raises ThresholdError before :meth:`resolve`, or if the result would not reconstruct the
        old public key (the old public shares were inconsistent).
        """
        qualified = sorted(self._receiver.qualified)
        weights = [lagrange_coefficient(i, qualified) for i in qualified]
        secret = (
            sum(w * self._receiver.share_from(i) for w, i in zip(weights, qualified, strict=True))
            % N
        )
        aggregate = sum_commitments((self._receiver.commitments_of(i) for i in qualified), weights)
        if aggregate[0] != self.public_key:
            raise ThresholdError(
                "resharing does not reconstruct the network public key; the old public shares "
                "are inconsistent"
            )
        return KeyShare(
            index=self.index,
            t=self.t,
            n=self.n,
            secret=secret,
            public_key=self.public_key,
            public_shares=public_shares(aggregate, range(1, self.n + 1)),
        )
