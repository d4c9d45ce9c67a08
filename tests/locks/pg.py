"""PostgreSQL for the lock, migration and provisioning tests: scratch databases and a cluster."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.servers import Postgres, require_server

MACHINE = "postgres://postgres@127.0.0.1:5432/postgres"
"""The machine's own PostgreSQL (trust authentication on loopback)."""


@contextmanager
def scratch_database(admin: str = MACHINE) -> Iterator[str]:
    """A fresh database on the server at `admin`, dropped afterwards; yields its URL."""
    if admin == MACHINE:
        require_server(5432, "PostgreSQL")
    name = f"bg_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def private_cluster(*settings: str) -> Iterator[Postgres]:
    """A PostgreSQL the test starts itself (initdb, own port, temp dir), stopped by its PID."""
    top = Path(tempfile.mkdtemp(prefix="bootgate-pg-"))
    top.chmod(0o755)  # postgres runs as its own user when the tests run as root
    cluster = Postgres(top / "cluster").init()
    try:
        cluster.start(None, *settings)
        wait_until_up(cluster.url())
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(top, ignore_errors=True)


def wait_until_up(url: str, seconds: float = 20.0) -> None:
    """Return once `url` accepts a session (bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
