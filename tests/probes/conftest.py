"""Fixtures for probe tests: private servers, stopped after each test."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.probes.mariadb import MariaDB
from tests.servers import Postgres, Server, need


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Postgres]:
    """One initialised private PostgreSQL cluster per test session (initdb is slow)."""
    # Not pytest's tmp_path: it is private to root, and postgres runs as its own user.
    top = Path(tempfile.mkdtemp(prefix="bootgate-pg-"))
    top.chmod(0o755)
    cluster = Postgres(top / "cluster").init()
    yield cluster
    cluster.stop()
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def postgres(pg_cluster: Postgres) -> Iterator[Postgres]:
    """The private cluster, stopped after the test (each test starts it when it wants)."""
    yield pg_cluster
    pg_cluster.stop()


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDB]:
    """A private MariaDB on a spare port, with a user `app` (password, native auth) and an
    `edgy` user whose plugin (ed25519) makes the server switch authentication methods."""
    top = Path(tempfile.mkdtemp(prefix="bootgate-mariadb-"))
    server = MariaDB(top).start()
    yield server
    server.stop()
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(scope="session")
def certificate() -> Iterator[Path]:
    """A directory holding a self-signed certificate for 127.0.0.1 (cert.pem, key.pem)."""
    top = Path(tempfile.mkdtemp(prefix="bootgate-tls-"))
    top.chmod(0o755)
    openssl = need("openssl")
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(top / "key.pem"), "-out", str(top / "cert.pem")),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    yield top
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def started() -> Iterator[list[Server]]:
    """Private servers started by a test, stopped by PID after it."""
    servers: list[Server] = []
    yield servers
    for server in servers:
        server.stop()
