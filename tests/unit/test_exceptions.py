"""The exception tree and the revert-reason parsing of ContractRevert."""

from veritee import exceptions
from veritee.exceptions import ChainError, ContractRevert, VeriteeError


def test_every_public_exception_derives_from_the_root() -> None:
    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), VeriteeError)


def test_contract_revert_splits_namespaced_reasons() -> None:
    error = ContractRevert("Jobs: job not pending", function="Jobs.settle")
    assert isinstance(error, ChainError)
    assert (error.contract, error.reason, error.raw) == (
        "Jobs",
        "job not pending",
        "Jobs: job not pending",
    )
    assert str(error) == "transaction reverted in Jobs.settle: Jobs: job not pending"


def test_contract_revert_keeps_unnamespaced_reasons_whole() -> None:
    error = ContractRevert("ecdsa: invalid signature `s` value")
    assert error.contract == "ecdsa"
    plain = ContractRevert("out of gas: something")
    assert plain.contract is None
    assert plain.reason == "out of gas: something"
