"""What travels between the parts of a job: envelopes and the worker's HTTP messages.

docs/jobs.md is the specification; the SDK, the worker and the relayer all use these types, so a
change here is a protocol change.
"""

from veritee.protocol.envelopes import (
    input_context,
    open_input,
    open_result,
    result_context,
    seal_input,
    seal_result,
)
from veritee.protocol.messages import (
    MAX_BATCH,
    BatchRequest,
    JobDelivery,
    JobState,
    JobStateView,
    SignedBatch,
)

__all__ = [
    "MAX_BATCH",
    "BatchRequest",
    "JobDelivery",
    "JobState",
    "JobStateView",
    "SignedBatch",
    "input_context",
    "open_input",
    "open_result",
    "result_context",
    "seal_input",
    "seal_result",
]
