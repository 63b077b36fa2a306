"""veritee: confidential and verifiable AI compute on an EVM chain."""

from veritee.exceptions import VeriteeError

__all__ = ["VeriteeError", "__version__"]

__version__ = "0.1.0"
