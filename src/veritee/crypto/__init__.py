"""veritee.crypto: the cryptographic recipes every other part calls."""

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
    "Certificate",
    "Domain",
    "JobResult",
    "address_of",
    "batch_digest",
    "certificate_digest",
    "network_key_digest",
    "recover_digest",
    "sign_digest",
]
