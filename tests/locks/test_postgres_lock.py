"""The PostgreSQL advisory lock on a real server: holder shown, loss noticed, nothing leaked."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator

import anyio
import psycopg
import pytest

from bootgate import locks
from bootgate.locks import Lease, LockLost, run_exclusive
from bootgate.locks._postgres import application_name, holder_from_row
from tests.locks.conftest import both_backends
from tests.locks.pg import scratch_database

pytestmark = [pytest.mark.anyio, pytest.mark.servers]


@pytest.fixture
def dsn() -> Iterator[str]:
    """A scratch database on the machine's PostgreSQL."""
    with scratch_database() as url:
        yield url


def sessions(dsn: str, prefix: str) -> int:
    """How many sessions named `prefix`... remain (a closed one may linger for a moment)."""
    deadline = time.monotonic() + 5
    with psycopg.connect(dsn, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s",
                (prefix + "%",),
            ).fetchone()
            assert row is not None
            if row[0] == 0 or time.monotonic() > deadline:
                return int(row[0])
            time.sleep(0.02)


@both_backends
async def test_waiters_name_the_holder_and_run_after_it(dsn: str) -> None:
    """One holder at a time; the waiter's reason names this host and pid, then it runs."""
    lock = locks.postgres(dsn, f"m-{uuid.uuid4().hex[:6]}")
    order: list[str] = []
    reasons: list[str] = []

    async def first(lease: Lease) -> None:
        order.append("first in")
        await anyio.sleep(1.3)
        order.append("first out")

    async def second(lease: Lease) -> None:
        order.append("second in")

    async with anyio.create_task_group() as tg:
        tg.start_soon(run_exclusive, lock, print, first)
        await anyio.sleep(0.2)
        tg.start_soon(run_exclusive, lock, reasons.append, second)
    assert order == ["first in", "first out", "second in"]
    me = f"{socket.gethostname()} pid {os.getpid()}"
    assert reasons  # the waiter reported while it waited
    assert all(r.startswith(f"lock {lock.name} held by {me} for ") for r in reasons)
    assert sessions(dsn, "bootgate") == 0  # every lock and observer session is closed


async def test_a_killed_session_cancels_the_step(dsn: str) -> None:
    """The connection is the lock: when the server ends it, the holder's step is cancelled."""
    lock = locks.postgres(dsn, "killed")
    reached: list[str] = []

    async def attempt(lease: Lease) -> None:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name LIKE %s",
                (f"bootgate {socket.gethostname()[:10]}%",),
            )
        await anyio.sleep(30)
        reached.append("went on")

    with anyio.fail_after(10), pytest.raises(LockLost, match="connection to PostgreSQL lost"):
        await run_exclusive(lock, print, attempt)
    assert reached == []


async def test_a_holder_that_is_not_bootgate_is_described_by_the_server(dsn: str) -> None:
    """A session that took the key by hand is named by its pid and application name."""
    lock = locks.postgres(dsn, "by-hand")
    reasons: list[str] = []
    with psycopg.connect(dsn, autocommit=True, application_name="psql") as other:
        other.execute("SELECT pg_advisory_lock(%s)", (lock.key,))
        pid = other.info.backend_pid

        async def attempt(lease: Lease) -> None:
            pass

        with anyio.move_on_after(0.5):
            await run_exclusive(lock, reasons.append, attempt)
    assert reasons == [f"lock by-hand held by 127.0.0.1/32 pid {pid} (psql)"]
    assert sessions(dsn, "bootgate") == 0  # the cancelled wait closed its sessions


def test_the_holder_tag_fits_postgres_limit_and_reads_back() -> None:
    """application_name holds host, pid and since within 63 bytes; a waiter parses it."""
    tag = application_name("h" * 200, 4_194_304)
    assert len(f"{tag} 17123456789".encode()) <= 63
    holder = holder_from_row((f"{tag} 1700000000", 1, None, 1700000012.5))
    assert holder.pid == 4_194_304
    assert holder.held_for == 12.5
    granted = holder_from_row((f"{tag} -", 1, None, 1700000012.5))  # not tagged with since yet
    assert (granted.pid, granted.held_for) == (4_194_304, None)
    assert str(holder.host).startswith("hhh")


def test_the_key_is_stable_and_the_dsn_password_hidden() -> None:
    """The same name gives the same key in every process; repr never shows the password."""
    a = locks.postgres("postgres://app:s3cret@db/app", "gateway-migrations")
    b = locks.postgres("postgres://app:s3cret@db/app", "gateway-migrations")
    assert a.key == b.key == 8328157070208018711
    assert "s3cret" not in repr(a)
