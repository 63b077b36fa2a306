"""Pins the curated public surface: adding or removing a name must be a deliberate change."""

import veritee
import veritee.attestation
import veritee.chain
import veritee.chain.clients
import veritee.crypto
import veritee.crypto.threshold


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
    )
    for name in veritee.crypto.__all__:
        assert hasattr(veritee.crypto, name)


def test_threshold_surface() -> None:
    assert sorted(veritee.crypto.threshold.__all__) == sorted(
        [
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
    )
    for name in veritee.crypto.threshold.__all__:
        assert hasattr(veritee.crypto.threshold, name)


def test_gatekeeper_surface() -> None:
    import veritee.gatekeeper

    assert sorted(veritee.gatekeeper.__all__) == sorted(
        [
            "WORKER_REPORT_DOMAIN",
            "CertificateBundle",
            "CertificateGrant",
            "CertifyRequest",
            "Decision",
            "Denial",
            "DkgResult",
            "GatekeeperClient",
            "GatekeeperConfig",
            "GatekeeperEndpoint",
            "GatekeeperNode",
            "GatekeeperOutcome",
            "GatekeeperServer",
            "KeyRelease",
            "LocalGatekeepers",
            "OutcomeKind",
            "ReshareResult",
            "SyncGatekeeperClient",
            "create_app",
            "decide_capsule_release",
            "decide_named_key",
            "parse_key_name",
            "run_dkg",
            "run_dkg_async",
            "run_reshare",
            "run_reshare_async",
            "serve",
        ]
    )
    for name in veritee.gatekeeper.__all__:
        assert hasattr(veritee.gatekeeper, name)


def test_attestation_surface() -> None:
    assert sorted(veritee.attestation.__all__) == sorted(
        [
            "CollateralSource",
            "EventLogEntry",
            "FileCollateral",
            "PccsCollateral",
            "Quote",
            "QuotePolicy",
            "QuoteVerifier",
            "ReportDataBinding",
            "SimulatedPlatform",
            "SimulatedProvider",
            "TeeProvider",
            "VerifiedQuote",
            "check_report_data",
            "collateral_next_update",
            "make_provider",
            "measurement_digest",
            "verify_simulated",
        ]
    )
    for name in veritee.attestation.__all__:
        assert hasattr(veritee.attestation, name)
