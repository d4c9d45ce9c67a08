"""TLS (https, PostgreSQL's sslmode) and PostgreSQL's password methods, on both transports.

A private PostgreSQL cluster serves SCRAM, MD5 and cleartext roles and TLS with a self-signed
certificate; a local HTTPS server uses the same certificate.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.examples.uvicorn_server import wait_listening
from tests.probes.helpers import agree, wait_ready
from tests.servers import Postgres, need

pytestmark = pytest.mark.servers

HBA = """\
local all all trust
host all clear_user 127.0.0.1/32 password
host all md5_user 127.0.0.1/32 md5
host all all 127.0.0.1/32 scram-sha-256
"""
ROLES = """\
DROP ROLE IF EXISTS md5_user; DROP ROLE IF EXISTS clear_user;
SET password_encryption = 'md5';
CREATE ROLE md5_user LOGIN PASSWORD 'md5-pw';
SET password_encryption = 'scram-sha-256';
CREATE ROLE clear_user LOGIN PASSWORD 'clear-pw';
"""


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def https(certificate: Path) -> Iterator[str]:
    """A local HTTPS server with the self-signed certificate; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_https_verifies_the_server(https: str, certificate: Path) -> None:
    """With --ca-file the certificate verifies; without it the failure is permanent; with
    --insecure it is not checked. Both transports agree."""
    assert agree(https, "ready", ca_file=str(certificate / "cert.pem")) == "HTTP 200"
    assert agree(https, "permanent").startswith("TLS verification failed")
    assert agree(https, "ready", insecure=True) == "HTTP 200"


@pytest.fixture
def secured(postgres: Postgres, certificate: Path) -> Postgres:
    """The private cluster with TLS on, and MD5 and cleartext roles beside SCRAM."""
    hba = postgres.root / "test_hba.conf"
    hba.write_text(HBA)
    for name in ("cert.pem", "key.pem"):
        shutil.copy(certificate / name, postgres.root / name)
        (postgres.root / name).chmod(0o600)
        if postgres.user:
            shutil.chown(postgres.root / name, postgres.user)
    postgres.start(
        None,
        *("-c", f"hba_file={hba}", "-c", "ssl=on"),
        *("-c", f"ssl_cert_file={postgres.root / 'cert.pem'}"),
        *("-c", f"ssl_key_file={postgres.root / 'key.pem'}"),
    )
    wait_listening(postgres.port, 60)
    wait_ready(postgres.url())
    psql = [need("psql"), "-h", str(postgres.root), "-p", str(postgres.port), "-U", "postgres"]
    env = {**os.environ, "PGDATABASE": "postgres"}
    subprocess.run([*psql, "-c", ROLES], check=True, capture_output=True, env=env)
    return postgres


def test_postgres_password_methods(secured: Postgres) -> None:
    """MD5 and cleartext password requests are answered; wrong passwords are 28P01."""
    port = secured.port
    assert agree(f"postgres://md5_user:md5-pw@127.0.0.1:{port}/postgres", "ready") == "SELECT 1"
    assert "28P01" in agree(f"postgres://md5_user:no@127.0.0.1:{port}/postgres", "permanent")
    clear = f"postgres://clear_user:clear-pw@127.0.0.1:{port}/postgres"
    assert agree(clear, "ready") == "SELECT 1"
    assert "28P01" in agree(f"postgres://clear_user:no@127.0.0.1:{port}/postgres", "permanent")
    no_password = agree(f"postgres://md5_user@127.0.0.1:{port}/postgres", "permanent")
    assert no_password == "the server asks for a password and the target has none"


def test_postgres_sslmode(secured: Postgres, certificate: Path) -> None:
    """sslmode=require negotiates TLS without checks; verify-full checks against --ca-file."""
    url = secured.url()
    assert agree(f"{url}?sslmode=require", "ready") == "SELECT 1"
    ca = str(certificate / "cert.pem")
    assert agree(f"{url}?sslmode=verify-full", "ready", ca_file=ca) == "SELECT 1"
    assert agree(f"{url}?sslmode=verify-full", "permanent").startswith("TLS verification failed")


def test_postgres_sslmode_against_a_server_without_tls(postgres: Postgres) -> None:
    """A server that answers the TLS request with "N" fails for good when TLS is required."""
    postgres.start()  # ssl is off unless asked for
    wait_listening(postgres.port, 60)
    wait_ready(postgres.url())
    url = f"{postgres.url()}?sslmode=require"
    assert agree(url, "permanent") == "server refused TLS (sslmode requires it)"


def hashed_directory(root: Path, certificate: Path | None) -> Path:
    """An OpenSSL hash directory holding `certificate` (or nothing) and a bundle file."""
    root.mkdir()
    bundle = root / "bundle.pem"
    bundle.write_bytes(certificate.read_bytes() if certificate else b"")
    if certificate is not None:
        shutil.copy(certificate, root / "ca.pem")
        subprocess.run([need("openssl"), "rehash", str(root)], check=True, capture_output=True)
    return root


@pytest.mark.parametrize("trusted", [True, False])
def test_system_trust_from_a_hashed_directory(
    https: str, certificate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trusted: bool
) -> None:
    """When the system's bundle lives in its hashed directory, the CAs are looked up there
    (not parsed whole): a CA in the directory verifies, and without it nothing is trusted."""
    cert = certificate / "cert.pem"
    directory = hashed_directory(tmp_path / "certs", cert if trusted else None)
    monkeypatch.setenv("SSL_CERT_DIR", str(directory))
    monkeypatch.setenv("SSL_CERT_FILE", str(directory / "bundle.pem"))
    from bootgate.probes._options import tls_context

    assert tls_context().cert_store_stats()["x509_ca"] == 0  # nothing parsed up front
    if trusted:
        assert agree(https, "ready") == "HTTP 200"
    else:
        assert agree(https, "permanent").startswith("TLS verification failed")


def test_system_trust_from_a_bundle_elsewhere(
    https: str, certificate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle outside the hashed directory is loaded whole, as the default context does."""
    monkeypatch.setenv("SSL_CERT_DIR", str(hashed_directory(tmp_path / "certs", None)))
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate / "cert.pem"))
    from bootgate.probes._options import tls_context

    assert tls_context().cert_store_stats()["x509_ca"] == 1
    assert agree(https, "ready") == "HTTP 200"


def test_tls_to_a_plain_server_says_tls_failed() -> None:
    """TLS against a server that does not speak it is transient, reported as a TLS failure."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        reason = agree(f"https://127.0.0.1:{server.server_address[1]}/", "transient")
    finally:
        server.shutdown()
        server.server_close()
    assert reason.startswith("TLS failed: ")
