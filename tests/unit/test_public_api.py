"""Pins the curated public surface: adding or removing a name must be a deliberate change."""

import veritee
import veritee.chain
import veritee.chain.clients
import veritee.crypto


def test_top_level() -> None:
    assert sorted(veritee.__all__) == ["VeriteeError", "__version__"]


def test_chain_surface() -> None:
    assert sorted(veritee.chain.__all__) == sorted(
        [
            "ANVIL_VERSION",
            "AnvilDevnet",
            "CapsuleId",
            "ChainBackend",
            "CompiledContract",
            "Deployment",
            "DeploymentConfig",
            "EmbeddedChain",
            "JobId",
            "JobRequest",
            "JobStatus",
            "ModelId",
            "ModelStatus",
            "Network",
            "TcbStatus",
            "TeeKind",
            "TokenAmount",
            "TransactionSender",
            "WorkerStatus",
            "check_deployment",
            "deploy",
            "anvil_binary",
            "compile_all",
            "compile_contract",
            "contracts_dir",
            "dev_accounts",
            "install_anvil",
            "revert_reason_from_error",
        ]
    )
    for name in veritee.chain.__all__:
        assert hasattr(veritee.chain, name)


def test_clients_surface() -> None:
    assert "Network" in veritee.chain.clients.__all__
    for name in veritee.chain.clients.__all__:
        assert hasattr(veritee.chain.clients, name)


def test_crypto_surface() -> None:
    assert sorted(veritee.crypto.__all__) == sorted(
        [
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
    )
