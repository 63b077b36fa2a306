"""A PCCS test server (Intel PCS API v4 paths) that serves the upstream sample collateral.

Paths, as dcap-qvl 0.7.0's ``get_collateral`` requests them::

    GET /sgx/certification/v4/pckcrl?ca=<processor|platform>&encoding=der
        DER body, header SGX-PCK-CRL-Issuer-Chain (URL-encoded PEM)
    GET /<sgx|tdx>/certification/v4/tcb?fmspc=<FMSPC>
        {"tcbInfo": ..., "signature": hex}, header TCB-Info-Issuer-Chain
    GET /<sgx|tdx>/certification/v4/qe/identity
        {"enclaveIdentity": ..., "signature": hex}, header SGX-Enclave-Identity-Issuer-Chain
    GET /sgx/certification/v4/rootcacrl
        hex of the DER root CA CRL

The signed JSON (``tcbInfo``, ``enclaveIdentity``) is served byte for byte as Intel signed it.
"""

from __future__ import annotations

import json
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from tests.integration.loopback_server import LoopbackServer


class PccsTestServer(LoopbackServer):
    """Serves collateral files keyed by (TEE, CA, FMSPC) on 127.0.0.1; a context manager."""

    def __init__(self, collateral: dict[tuple[str, str, str], Path]) -> None:
        self.collateral = {key: json.loads(path.read_text()) for key, path in collateral.items()}
        self.requests: list[str] = []
        self.fail = False
        super().__init__(self._handler())

    @property
    def url(self) -> str:
        return self.base_url

    def _find(self, tee: str | None, ca: str | None, fmspc: str | None) -> dict[str, Any] | None:
        for (key_tee, key_ca, key_fmspc), document in self.collateral.items():
            if (
                tee in (None, key_tee)
                and ca in (None, key_ca)
                and fmspc in (None, key_fmspc.upper())
            ):
                return document
        return None

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for a GET."""
        parts = path.strip("/").split("/")
        if self.fail or len(parts) < 4 or parts[1:3] != ["certification", "v4"]:
            return 404, {}, b"not found"
        tee, resource = parts[0], "/".join(parts[3:])
        quote = urllib.parse.quote
        if resource == "pckcrl":
            doc = self._find(None, query.get("ca"), None)
            if doc is None:
                return 404, {}, b""
            headers = {"SGX-PCK-CRL-Issuer-Chain": quote(doc["pck_crl_issuer_chain"])}
            return 200, headers, bytes.fromhex(doc["pck_crl"])
        if resource == "rootcacrl":
            doc = self._find(None, None, None)
            assert doc is not None
            return 200, {}, doc["root_ca_crl"].encode()
        if resource == "tcb":
            doc = self._find(tee, None, query.get("fmspc", "").upper())
            if doc is None:
                return 404, {}, b""
            body = f'{{"tcbInfo":{doc["tcb_info"]},"signature":"{doc["tcb_info_signature"]}"}}'
            headers = {"TCB-Info-Issuer-Chain": quote(doc["tcb_info_issuer_chain"])}
            return 200, headers, body.encode()
        if resource == "qe/identity":
            doc = self._find(tee, None, None)
            if doc is None:
                return 404, {}, b""
            body = (
                f'{{"enclaveIdentity":{doc["qe_identity"]},'
                f'"signature":"{doc["qe_identity_signature"]}"}}'
            )
            headers = {"SGX-Enclave-Identity-Issuer-Chain": quote(doc["qe_identity_issuer_chain"])}
            return 200, headers, body.encode()
        return 404, {}, b""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                status, headers, body = server.answer(url.path, query)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
