"""A blob server daemon in its own process (``serve_blobs``), shared with this one over HTTP.

The child serves a directory; this process writes through HTTP and reads both through HTTP and
straight from the directory, then stops the child with SIGTERM, which must end it cleanly.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from veritee.blobs import HttpBlobStore, LocalBlobStore, fetch, sha256_hex

_CHILD = """
import sys
from pathlib import Path
from veritee.blobs import LocalBlobStore, serve_blobs

def ready(url):
    print(url, flush=True)

serve_blobs(LocalBlobStore(Path(sys.argv[1])), "127.0.0.1", 0, ready=ready)
print("stopped", flush=True)
"""


def _wait_for_url(log: Path, process: subprocess.Popen[bytes], timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text()
        if text.endswith("\n"):
            return text.splitlines()[0]
        assert process.poll() is None, "blob server exited before it was ready"
        time.sleep(0.02)
    raise AssertionError("blob server did not announce its url")


def test_two_processes_share_blobs_over_http(tmp_path: Path) -> None:
    root, log = tmp_path / "blobs", tmp_path / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(root)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
    try:
        url = _wait_for_url(log, process)
        assert url.startswith("http://127.0.0.1:") and url.endswith("/blobs")
        with HttpBlobStore(url) as remote:
            digest = remote.put(b"result envelope")
            assert remote.has(digest) and remote.get(digest) == b"result envelope"
            assert fetch(remote.uri(digest), expected=digest) == b"result envelope"
        assert LocalBlobStore(root).get(digest) == b"result envelope"
        local_digest = LocalBlobStore(root).put(b"dropped in the directory")
        assert httpx.get(f"{url}/{local_digest}").content == b"dropped in the directory"
        assert local_digest == sha256_hex(b"dropped in the directory")
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
    assert code == 0
    assert log.read_text().splitlines()[-1] == "stopped"
