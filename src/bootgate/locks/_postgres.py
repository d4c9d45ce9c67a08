"""A PostgreSQL session advisory lock: the server releases it the moment the holder's session ends.

The lock lives on a connection of its own, opened for the tenure and closed after it. Its
`application_name` says who holds it ("bootgate host-b 4121 1712345678": host, pid, and since when
in the server's time), so a waiter reads the holder from `pg_locks` joined with
`pg_stat_activity`, with no table to create. psycopg runs in worker threads, so the lock works on
either anyio backend.

A waiter blocks in `pg_advisory_lock` (the server wakes it the moment the lock is free, so a
takeover after a crash costs no polling delay), and watches the holder on a second connection.
A holder watches its connection: when the socket turns readable (the server ended the session)
or every `check_every` seconds, it runs `SELECT 1`; a failure loses the lease.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

import anyio
import anyio.lowlevel
import anyio.to_thread

from bootgate._exclusive import Holder, Lease, Seen, background
from bootgate._redact import redact

from ._common import check_name, stable_key, this_host, this_pid

_APP_MAX = 63  # PostgreSQL keeps NAMEDATALEN - 1 bytes of application_name
_TAG = "bootgate"

_HOLDER_SQL = """
SELECT a.application_name, a.pid, a.client_addr::text,
       extract(epoch FROM clock_timestamp())::float8
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid
LIMIT 1
"""


def holder_from_row(row: tuple[Any, ...]) -> Holder:
    """A Holder from (application_name, pid, client_addr, server epoch now)."""
    app, pid, addr, now = row
    parts = str(app or "").split(" ")
    if len(parts) == 4 and parts[0] == _TAG and parts[2].isdigit():
        # "since" is "-" between the grant and the holder's tagging itself: held just now.
        since = int(parts[3]) if parts[3].isdigit() else None
        held_for = None if since is None else max(now - since, 0.0)
        return Holder(host=parts[1], pid=int(parts[2]), held_for=held_for)
    # A session bootgate did not open (psql, another tool): say what PostgreSQL knows.
    return Holder(host=addr or "a local session", pid=int(pid), label=str(app) or None)


def application_name(host: str, pid: int) -> str:
    """The holder's tag without its "since" (added by the server), cut to fit in 63 bytes."""
    room = _APP_MAX - len(f"{_TAG}  {pid} ") - 12  # 12: " " + up to 11 digits of epoch seconds
    short = host.encode()[: max(room, 1)].decode(errors="ignore").replace(" ", "_")
    return f"{_TAG} {short} {pid}"


class PostgresLock:
    """`bootgate.locks.postgres(dsn, name)`: see the module docstring."""

    def __init__(
        self, dsn: str, name: str, driver: ModuleType, *, check_every: float = 5.0
    ) -> None:
        self._dsn = dsn
        self._name = check_name(name)
        self._driver = driver
        self.key = stable_key(name)
        """The advisory lock key (signed 64-bit) derived from the name."""
        self.check_every = check_every
        """Seconds between two checks of a held connection when nothing else woke the check."""

    @property
    def name(self) -> str:
        """The lock's name."""
        return self._name

    def __repr__(self) -> str:
        return f"bootgate.locks.postgres({redact(self._dsn)!r}, {self._name!r})"

    @asynccontextmanager
    async def hold(self, seen: Seen) -> AsyncIterator[Lease]:
        """Wait for the advisory lock, hold it for the block, release it by closing the session."""
        # Named from the start, so a waiter that sees it granted before it is tagged with its
        # "since" still names the right process.
        me = application_name(this_host(), this_pid())
        conn = await anyio.to_thread.run_sync(self._connect, f"{me} -")
        try:
            if not await anyio.to_thread.run_sync(self._try_lock, conn):
                async with background(functools.partial(self._observe, seen)):
                    await self._wait_lock(conn)
            await anyio.to_thread.run_sync(self._tag, conn)
            lease = Lease(self._name)
            async with background(functools.partial(self._watch, conn, lease)):
                yield lease
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(conn.close)

    # -- worker-thread calls --------------------------------------------------------------------

    def _connect(self, app: str) -> Any:
        return self._driver.connect(
            self._dsn,
            autocommit=True,
            application_name=app,
            connect_timeout=10,
            # A holder whose machine vanished is noticed by the server within about 20 s.
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=2,
        )

    def _try_lock(self, conn: Any) -> bool:
        (got,) = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        return bool(got)

    def _lock(self, conn: Any) -> None:
        conn.execute("SELECT pg_advisory_lock(%s)", (self.key,))

    def _tag(self, conn: Any) -> None:
        conn.execute(
            "SELECT set_config('application_name', %s || ' ' ||"
            " floor(extract(epoch FROM clock_timestamp()))::bigint::text, false)",
            (application_name(this_host(), this_pid()),),
        )

    def _holder(self, conn: Any) -> Holder | None:
        unsigned = self.key & 0xFFFFFFFFFFFFFFFF
        row = conn.execute(_HOLDER_SQL, (unsigned >> 32, unsigned & 0xFFFFFFFF)).fetchone()
        return None if row is None else holder_from_row(row)

    def _ping(self, conn: Any) -> str | None:
        try:
            conn.execute("SELECT 1")
        except self._driver.Error as exc:
            return f"connection to PostgreSQL lost: {_first_line(exc)}"
        return None

    # -- tasks ------------------------------------------------------------------------------------

    async def _wait_lock(self, conn: Any) -> None:
        # The blocking call cannot be interrupted from here; if this wait is cancelled, a
        # cancel request to the server ends it, and the cancellation goes on from there.
        state = {"granted": False, "cancelled": False}

        async def cancel_when_cancelled() -> None:
            try:
                await anyio.sleep_forever()
            finally:
                if not state["granted"]:
                    state["cancelled"] = True
                    conn.cancel()

        async with background(cancel_when_cancelled):
            try:
                await anyio.to_thread.run_sync(self._lock, conn)
            except self._driver.errors.QueryCanceled:
                if state["cancelled"]:
                    await anyio.lowlevel.checkpoint()  # raises the pending cancellation
                raise
            state["granted"] = True

    async def _observe(self, seen: Seen) -> None:
        conn = None
        try:
            while True:
                try:
                    if conn is None:
                        conn = await anyio.to_thread.run_sync(self._connect, f"{_TAG} observer")
                    seen(await anyio.to_thread.run_sync(self._holder, conn))
                except self._driver.Error:
                    seen(None)
                    conn = None
                await anyio.sleep(1.0)
        finally:
            if conn is not None:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(conn.close)

    async def _watch(self, conn: Any, lease: Lease) -> None:
        wait_readable: Callable[[int], Awaitable[None]] | None
        wait_readable = getattr(anyio, "wait_readable", None)  # anyio >= 4.7
        while True:
            with anyio.move_on_after(self.check_every):
                if wait_readable is None:
                    await anyio.sleep_forever()
                else:
                    await wait_readable(conn.fileno())
            problem = await anyio.to_thread.run_sync(self._ping, conn)
            if problem is not None:
                lease.lose(redact(problem))
                return


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
