"""Fixtures for probe tests: private servers, stopped after each test."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import Postgres


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
