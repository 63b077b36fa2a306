"""veritee.gatekeeper: threshold key management and worker certification."""

from veritee.gatekeeper.policy import (
    Decision,
    Denial,
    decide_capsule_release,
    decide_named_key,
    parse_key_name,
)

__all__ = ["Decision", "Denial", "decide_capsule_release", "decide_named_key", "parse_key_name"]
