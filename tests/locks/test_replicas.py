"""Twenty replicas against one PostgreSQL the test starts: the migration runs once, one replica
at a time, and a replica killed mid-migration leaves nothing half-applied for the next."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import psycopg
import pytest

from bootgate import locks
from tests.locks.pg import private_cluster
from tests.servers import Postgres

pytestmark = [pytest.mark.servers, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]

MIGRATIONS = {
    "0001_log.sql": "CREATE TABLE applied_log (version int);\nINSERT INTO applied_log VALUES (1);",
    "0002_tenant.sql": (
        "CREATE TABLE tenant (id text PRIMARY KEY);\n"
        "INSERT INTO applied_log VALUES (2);\n"
        "SELECT pg_sleep(%s);\n"
        "INSERT INTO tenant VALUES ('default');"
    ),
    "0003_provider.sql": "CREATE TABLE provider (name text);\nINSERT INTO applied_log VALUES (3);",
}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Postgres]:
    """A private PostgreSQL; a backend whose client died stops within 250 ms (not at the end
    of its running statement), as a production server would be configured."""
    with private_cluster(
        "-c", "client_connection_check_interval=250", "-c", "max_connections=120"
    ) as pg:
        yield pg


def migrations(tmp: Path, sleep: float) -> Path:
    """The migration files, the second one taking `sleep` seconds."""
    directory = tmp / "migrations"
    directory.mkdir()
    for name, sql in MIGRATIONS.items():
        (directory / name).write_text(sql.replace("%s", str(sleep)))
    return directory


def database(cluster: Postgres, name: str) -> str:
    """A new database on the cluster; its URL."""
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return cluster.url(database=name)


def replica(dsn: str, directory: Path) -> subprocess.Popen[str]:
    """Start one replica process."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.locks.replica", dsn, str(directory)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def report(out: str) -> list[dict[str, Any]]:
    """The JSON lines a replica printed."""
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def state(dsn: str) -> tuple[list[int], list[int], list[str]]:
    """(applied_log versions, history versions, tenants) in the database."""
    with psycopg.connect(dsn) as conn:
        log = [r[0] for r in conn.execute("SELECT version FROM applied_log ORDER BY 1")]
        history = [r[0] for r in conn.execute("SELECT version FROM bootgate_migrations ORDER BY 1")]
        tenants = [r[0] for r in conn.execute("SELECT id FROM tenant")]
    return log, history, tenants


def test_twenty_replicas_migrate_once_one_at_a_time(cluster: Postgres, tmp_path: Path) -> None:
    """All 20 become ready; the exclusive work never overlaps; the migration applies once.

    The test holds the lock until every replica is waiting on it, so all 20 contend at once
    however slowly the machine starts processes; each names the test process as the holder.
    """
    dsn = database(cluster, "twenty")
    directory = migrations(tmp_path, 0.2)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        async def attempt(lease: locks.Lease) -> None:
            held.set()
            await anyio.to_thread.run_sync(release.wait, 120)

        lock = locks.postgres(dsn, "gateway-migrations")
        anyio.run(locks.run_exclusive, lock, lambda reason: None, attempt)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30)
        procs = [replica(dsn, directory) for _ in range(20)]
        firsts = [json.loads(p.stdout.readline()) for p in procs if p.stdout is not None]
    finally:
        release.set()
        holder.join(30)
    me = f"{socket.gethostname()} pid {os.getpid()}"
    assert len(firsts) == 20
    assert all(f["reason"].startswith(f"lock gateway-migrations held by {me} for ") for f in firsts)
    assert all(f["phase"] == "waiting" for f in firsts)  # the step's phase in every view
    outputs = [p.communicate(timeout=90) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-2000:]
    reports = [report(out) for out, _ in outputs]
    assert all(any(e["event"] == "ready" for e in r) for r in reports)
    spans = sorted(
        (enter["t"], leave["t"], leave["applied"])
        for r in reports
        for enter, leave in [
            (
                next(e for e in r if e["event"] == "enter"),
                next(e for e in r if e["event"] == "leave"),
            )
        ]
    )
    for (_, left, _), (entered, _, _) in itertools.pairwise(spans):
        assert entered >= left  # one replica at a time
    assert spans[0][2] == ["0001_log", "0002_tenant", "0003_provider"]
    assert all(applied == [] for _, _, applied in spans[1:])  # the others found it done
    assert state(dsn) == ([1, 2, 3], [1, 2, 3], ["default"])
    pids = {str(p.pid) for p in procs} | {str(os.getpid())}
    for r in reports:
        for e in r:
            if e["event"] == "wait":  # a later holder is always one of the replicas (or us)
                assert e["reason"].split(" pid ")[1].split()[0] in pids


def test_a_holder_killed_mid_migration_is_taken_over_cleanly(
    cluster: Postgres, tmp_path: Path
) -> None:
    """kill -9 during migration 2: another replica takes over and applies 2 and 3 exactly once."""
    dsn = database(cluster, "killed")
    directory = migrations(tmp_path, 1.5)
    first = replica(dsn, directory)
    with psycopg.connect(dsn, autocommit=True) as watcher:
        deadline = time.monotonic() + 30
        while not watcher.execute(
            "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%%pg_sleep%%' AND state = 'active'"
            " AND pid <> pg_backend_pid()"
        ).fetchone():
            assert time.monotonic() < deadline, "the first replica never reached migration 2"
            time.sleep(0.02)
    second = replica(dsn, directory)
    assert second.stdout is not None
    line = json.loads(second.stdout.readline())  # it waits, naming the first replica
    assert line["event"] == "wait"
    assert f" pid {first.pid} for " in line["reason"]
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=10)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err[-2000:]
    leave = next(e for e in report(out) if e["event"] == "leave")
    assert leave["applied"] == ["0002_tenant", "0003_provider"]
    assert state(dsn) == ([1, 2, 3], [1, 2, 3], ["default"])
