"""Distributed key generation: Pedersen's DKG with Feldman commitments (JF-DKG).

Every gatekeeper ``i`` deals a random polynomial ``f_i`` of degree ``t - 1``: it broadcasts the
commitments ``C_ik = a_ik·G`` and sends each gatekeeper ``j`` the share ``f_i(j)`` sealed to ``j``'s
X25519 key. Complaints and reveals (see :mod:`veritee.crypto.threshold.dealing`) settle the
qualified set QUAL; then gatekeeper ``j`` holds ``s_j = Σ_{i∈QUAL} f_i(j)``, a Shamir share of
``s = Σ_{i∈QUAL} a_i0``, and everyone computes ``S = Σ_{i∈QUAL} C_i0`` and every ``S_j`` from the
commitments. Nobody ever holds ``s``.

:class:`DkgParticipant` is a pure state machine: it produces and consumes messages; the gatekeeper
service moves them. Order per participant::

    deal()  ->  receive(each other deal)  ->  answer(each complaint against us)
            ->  resolve(all complaints, all reveals)  ->  finalize()

Known limit: JF-DKG lets a rushing adversary bias the distribution of ``S`` (Gennaro, Jarecki,
Krawczyk and Rabin, 1999); it still cannot learn ``s``, and Gennaro et al. (2003) show the bias
harmless for several discrete-log schemes. Should a uniformly random ``S`` ever be required, the
fix is their New-DKG (Pedersen commitments first, Feldman values after QUAL is fixed).

``rng`` drives the polynomial; the share envelopes draw their HPKE ephemeral keys from the OS, so
deal bytes differ from run to run even under a seeded ``rng``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from veritee.crypto._common import Rng, default_rng, uint_bytes
from veritee.crypto.envelope import X25519KeyPair
from veritee.crypto.secp256k1 import N, random_scalar
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
from veritee.crypto.threshold.shamir import Polynomial, check_parameters
from veritee.exceptions import ThresholdError

__all__ = ["DkgParticipant", "dkg_session_id"]

_TAG = b"veritee/dkg/v1"


def dkg_session_id(ceremony: CeremonyContext, t: int, keys: Mapping[int, bytes]) -> bytes:
    """The session id every participant of a DKG computes from the same public inputs.

    ``keys`` maps each index 1..n to that gatekeeper's X25519 public key.
    """
    ordered = roster(keys, len(keys))
    check_parameters(t, len(ordered))
    return session_digest(
        _TAG, ceremony, uint_bytes(t, 2), uint_bytes(len(ordered), 2), *ordered.values()
    )


class DkgParticipant:
    """Gatekeeper ``index``'s side of a ``t``-of-``n`` DKG.

    ``peer_keys`` maps indices to X25519 public keys; it must cover 1..n (our own entry may be
    left out, and must match ``encryption_key`` if present).
    """

    def __init__(
        self,
        index: int,
        t: int,
        n: int,
        encryption_key: X25519KeyPair,
        peer_keys: Mapping[int, bytes],
        ceremony: CeremonyContext,
        *,
        rng: Rng = default_rng,
    ) -> None:
        check_parameters(t, n)
        if not 1 <= index <= n:
            raise ValueError(f"participant index must be in 1..{n}")
        own = encryption_key.public_bytes()
        if peer_keys.get(index, own) != own:
            raise ValueError("peer_keys holds a different key for our own index")
        self.index, self.t, self.n, self.ceremony = index, t, n, ceremony
        self._keys = roster({**peer_keys, index: own}, n)
        self.session_id = dkg_session_id(ceremony, t, self._keys)
        self._polynomial = Polynomial.random(random_scalar(rng), t - 1, rng)
        self._deal: DealMessage | None = None
        self._receiver = DealingReceiver(
            index=index,
            t=t,
            dealers=range(1, n + 1),
            recipients=range(1, n + 1),
            session_id=self.session_id,
            ceremony=ceremony,
            key=encryption_key,
            min_qualified=t,
        )

    def _share_for(self, recipient: int) -> int:
        return self._polynomial(recipient)

    def deal(self) -> DealMessage:
        """Our broadcast: commitments and a sealed share for every other participant.

        Idempotent: a second call returns the same message, never a second polynomial.
        """
        if self._deal is None:
            shares = {
                j: seal_share(
                    self.ceremony, self.session_id, self.index, j, key, self._share_for(j)
                )
                for j, key in self._keys.items()
                if j != self.index
            }
            deal = DealMessage(self.session_id, self.index, commit(self._polynomial), shares)
            self._receiver.accept_own(deal, self._polynomial(self.index))
            self._deal = deal
        return self._deal

    def receive(self, deal: DealMessage) -> Complaint | None:
        """Check another participant's deal; returns a complaint to broadcast, or None.

        Raises ThresholdError for a deal from another session (a replay), from an unknown index,
        or one that claims to be ours.
        """
        if deal.dealer == self.index:
            if deal != self._deal:
                raise ThresholdError("a deal claims to come from us but is not ours")
            return None
        return self._receiver.receive(deal)

    def answer(self, complaint: Complaint) -> Reveal:
        """Answer a complaint against us by revealing the disputed share."""
        if complaint.session_id != self.session_id:
            raise ThresholdError("complaint belongs to another session; not answered")
        if complaint.dealer != self.index or not 1 <= complaint.complainer <= self.n:
            raise ThresholdError("complaint is not about a share we dealt")
        if self._deal is None:
            raise ThresholdError("protocol step out of order: we have not dealt")
        share = self._share_for(complaint.complainer)
        return Reveal(self.session_id, self.index, complaint.complainer, share)

    def resolve(self, complaints: Iterable[Complaint], reveals: Iterable[Reveal]) -> frozenset[int]:
        """Decide QUAL from all broadcast complaints and reveals (ours included)."""
        if self._deal is None:
            raise ThresholdError("protocol step out of order: deal() before resolve()")
        return self._receiver.resolve(complaints, reveals)

    def finalize(self) -> KeyShare:
        """Our key share of the network key; raises ThresholdError before :meth:`resolve`."""
        qualified = sorted(self._receiver.qualified)
        secret = sum(self._receiver.share_from(d) for d in qualified) % N
        aggregate = sum_commitments(self._receiver.commitments_of(d) for d in qualified)
        return KeyShare(
            index=self.index,
            t=self.t,
            n=self.n,
            secret=secret,
            public_key=aggregate[0],
            public_shares=public_shares(aggregate, range(1, self.n + 1)),
        )
