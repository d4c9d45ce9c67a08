"""`sql_directory`: apply versioned `.sql` files in order, each in its own transaction, once."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio.to_thread

from bootgate._errors import ConfigError, PermanentError
from bootgate._redact import redact
from bootgate.locks._common import require, stable_key
from bootgate.provision._sql import Dialect, check_identifier

from ._files import Migration, read_directory, split_statements, sqlite_statements

Progress = Callable[[float, "float | None", str], None]
"""`progress(done, total, message)`: the shape of `StepContext.progress`."""


class ChangedMigrationError(PermanentError):
    """Raised when a migration file was changed after it was applied: retrying will not help."""

    def __init__(self, name: str, table: str, recorded: str, found: str) -> None:
        self.name = name
        self.recorded = recorded
        self.found = found
        super().__init__(
            f"migration {name} was changed after it was applied (checksum {recorded[:12]} in "
            f"{table}, {found[:12]} on disk); add a new migration instead of editing this one"
        )


class SqlDirectory:
    """The migrations of one directory and the database they go to (see `sql_directory`)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        connect: str | Callable[[], Any],
        *,
        table: str = "bootgate_migrations",
    ) -> None:
        self.path = Path(path)
        self.table = check_identifier(table, "the history table")
        if isinstance(connect, str):
            if not connect.startswith(("postgres://", "postgresql://")):
                raise ConfigError(
                    f"sql_directory takes a postgres:// DSN or a function returning a DB-API "
                    f"connection, got {redact(connect)!r}"
                )
            driver = require("psycopg", "postgres", "SQL migrations from a postgres:// DSN")
            dsn = connect
            self._connect: Callable[[], Any] = lambda: driver.connect(dsn)
        elif callable(connect):
            self._connect = connect
        else:
            raise ConfigError(f"connect must be a DSN or a function, got {connect!r}")
        self._key = stable_key(f"migrations:{table}")

    def __repr__(self) -> str:
        return f"sql_directory({str(self.path)!r}, table={self.table!r})"

    def migrations(self) -> list[Migration]:
        """Every migration of the directory, in version order."""
        return read_directory(self.path)

    async def pending(self) -> list[Migration]:
        """The migrations not applied yet (after checking the applied ones are unchanged)."""
        files = self.migrations()
        applied = await anyio.to_thread.run_sync(self._history)
        return self._pending(files, applied)

    async def apply(self, progress: Progress | None = None) -> list[Migration]:
        """Apply the pending migrations in order; return those this call applied.

        `progress(done, total, name)` is called after each one ("3/5 0003_add_label"). Each
        runs in a transaction of its own on a fresh connection, with its history row: a
        migration is recorded if and only if it committed. On PostgreSQL a transaction-level
        advisory lock, on SQLite the write lock, make concurrent runners apply each once.
        """
        files = self.migrations()
        applied = await anyio.to_thread.run_sync(self._history)
        pending = self._pending(files, applied)
        total = len(pending)
        if progress is not None:
            progress(0, total, f"{total} pending" if total else "up to date")
        done: list[Migration] = []
        for i, migration in enumerate(pending, 1):
            if await anyio.to_thread.run_sync(self._apply_one, migration):
                done.append(migration)
            if progress is not None:
                progress(i, total, migration.name)
        return done

    def _pending(self, files: list[Migration], applied: dict[int, str]) -> list[Migration]:
        for migration in files:
            recorded = applied.get(migration.version)
            if recorded is not None and recorded != migration.checksum:
                raise ChangedMigrationError(
                    migration.name, self.table, recorded, migration.checksum
                )
        return [m for m in files if m.version not in applied]

    # -- worker-thread calls --------------------------------------------------------------------

    def _history(self) -> dict[int, str]:
        conn = self._connect()
        try:
            d = Dialect(conn)
            table = d.quote(self.table)
            self._begin(conn, d)
            cursor = conn.cursor()
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (version BIGINT PRIMARY KEY,"
                " name VARCHAR(255) NOT NULL, checksum VARCHAR(64) NOT NULL,"
                " applied_at VARCHAR(40) NOT NULL)",
                d.params(()),
            )
            cursor.execute(f"SELECT version, checksum FROM {table}", d.params(()))
            rows = cursor.fetchall()
            conn.commit()
            return {int(_col(r, 0, "version")): str(_col(r, 1, "checksum")) for r in rows}
        finally:
            conn.close()

    def _apply_one(self, migration: Migration) -> bool:
        conn = self._connect()
        try:
            d = Dialect(conn)
            table = d.quote(self.table)
            self._begin(conn, d)
            cursor = conn.cursor()
            cursor.execute(
                f"SELECT checksum FROM {table} WHERE version = {d.marker(0)}",
                d.params((migration.version,)),
            )
            row = cursor.fetchone()
            if row is not None:  # another runner applied it while this one waited
                conn.rollback()
                recorded = str(_col(row, 0, "checksum"))
                if recorded != migration.checksum:
                    raise ChangedMigrationError(
                        migration.name, self.table, recorded, migration.checksum
                    )
                return False
            for statement in self._statements(d, migration.sql):
                cursor.execute(statement)
            marks = ", ".join(d.marker(i) for i in range(4))
            cursor.execute(
                f"INSERT INTO {table} (version, name, checksum, applied_at) VALUES ({marks})",
                d.params(
                    (
                        migration.version,
                        migration.name,
                        migration.checksum,
                        datetime.now(UTC).isoformat(timespec="seconds"),
                    )
                ),
            )
            conn.commit()
            return True
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()

    def _begin(self, conn: Any, d: Dialect) -> None:
        if d.driver == "sqlite3":
            if not conn.in_transaction:
                conn.execute("BEGIN IMMEDIATE")
        elif d.driver in ("psycopg", "psycopg2"):
            cursor = conn.cursor()
            if getattr(conn, "autocommit", False) is True:
                cursor.execute("BEGIN")
            cursor.execute(f"SELECT pg_advisory_xact_lock({d.marker(0)})", d.params((self._key,)))

    def _statements(self, d: Dialect, sql: str) -> list[str]:
        if d.driver in ("psycopg", "psycopg2"):
            return [sql]  # without parameters the server takes the whole script at once
        if d.driver == "sqlite3":
            return sqlite_statements(sql)
        return split_statements(sql)


def _col(row: Any, index: int, name: str) -> Any:
    return row[name] if isinstance(row, dict) else row[index]
