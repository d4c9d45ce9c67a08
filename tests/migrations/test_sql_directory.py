"""sql_directory on SQLite and PostgreSQL: order, once, progress, checksums, no half migration."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from bootgate import Boot, ConfigError, PermanentError, StepContext
from bootgate.migrations import ChangedMigrationError, sql_directory
from tests.locks.pg import scratch_database

pytestmark = pytest.mark.anyio


def write(directory: Path, files: dict[str, str]) -> Path:
    """Write migration files into `directory` (created if needed)."""
    directory.mkdir(exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


def sqlite_factory(path: Path) -> Callable[[], sqlite3.Connection]:
    """A connection factory for the SQLite file at `path`."""
    return lambda: sqlite3.connect(path)


def tables(path: Path) -> list[str]:
    """The names of the tables in the SQLite file."""
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]


async def test_migrations_apply_in_order_once_with_progress(tmp_path: Path) -> None:
    """Pending files run in version order, progress after each; a second run does nothing."""
    directory = write(
        tmp_path / "m",
        {
            "0002_provider.sql": "CREATE TABLE provider (name TEXT REFERENCES tenant(id));",
            "0001_tenant.sql": "CREATE TABLE tenant (id TEXT);\nINSERT INTO tenant VALUES ('x');",
        },
    )
    db = tmp_path / "app.db"
    migrations = sql_directory(directory, sqlite_factory(db))
    seen: list[tuple[float, float | None, str]] = []
    applied = await migrations.apply(progress=lambda d, t, m: seen.append((d, t, m)))
    assert [m.name for m in applied] == ["0001_tenant", "0002_provider"]
    assert seen == [(0, 2, "2 pending"), (1, 2, "0001_tenant"), (2, 2, "0002_provider")]
    seen.clear()
    assert await migrations.apply(progress=lambda d, t, m: seen.append((d, t, m))) == []
    assert seen == [(0, 0, "up to date")]
    assert await migrations.pending() == []
    with sqlite3.connect(db) as conn:
        history = conn.execute("SELECT version, name FROM bootgate_migrations ORDER BY 1")
        assert list(history) == [(1, "0001_tenant"), (2, "0002_provider")]


async def test_a_changed_applied_file_is_a_permanent_error(tmp_path: Path) -> None:
    """Editing an applied migration fails at once, naming it, and runs nothing new."""
    directory = write(tmp_path / "m", {"0001_a.sql": "CREATE TABLE a (n);"})
    db = tmp_path / "app.db"
    await sql_directory(directory, sqlite_factory(db)).apply()
    write(directory, {"0001_a.sql": "CREATE TABLE a (n, m);", "0002_b.sql": "CREATE TABLE b (n);"})
    with pytest.raises(ChangedMigrationError, match="migration 0001_a was changed after") as e:
        await sql_directory(directory, sqlite_factory(db)).apply()
    assert isinstance(e.value, PermanentError)
    assert "b" not in tables(db)


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    """A migration that fails half-way is rolled back whole and not recorded; fixed, it runs."""
    broken = "CREATE TABLE a (n);\nINSERT INTO a VALUES (1);\nINSERT INTO nope VALUES (1);"
    directory = write(tmp_path / "m", {"0001_a.sql": broken})
    db = tmp_path / "app.db"
    with pytest.raises(sqlite3.OperationalError, match="no such table: nope"):
        await sql_directory(directory, sqlite_factory(db)).apply()
    assert tables(db) == ["bootgate_migrations"]
    write(directory, {"0001_a.sql": "CREATE TABLE a (n);\nINSERT INTO a VALUES (1);"})
    assert [m.name for m in await sql_directory(directory, sqlite_factory(db)).apply()] == [
        "0001_a"
    ]


async def test_a_step_reports_migration_progress_in_its_status(tmp_path: Path) -> None:
    """Passing ctx.progress makes "2/2 0002_b" the step's progress in the status."""
    directory = write(tmp_path / "m", {"0001_a.sql": "SELECT 1;", "0002_b.sql": "SELECT 2;"})
    boot = Boot("svc", hooks=[])

    @boot.step
    async def schema(ctx: StepContext) -> None:
        await sql_directory(directory, sqlite_factory(tmp_path / "x.db")).apply(ctx.progress)

    async with boot.running():
        progress = boot.status().nodes["schema"].progress
    assert progress is not None
    assert progress.text() == "2/2 0002_b"


def test_connect_must_be_a_postgres_dsn_or_a_function(tmp_path: Path) -> None:
    """Anything else is refused with one line, without echoing a password."""
    with pytest.raises(ConfigError, match=r"postgres:// DSN .* got 'mysql://app:\*\*\*@db/x'"):
        sql_directory(tmp_path, "mysql://app:secret@db/x")
    with pytest.raises(ConfigError, match="must be a DSN or a function"):
        sql_directory(tmp_path, 42)  # type: ignore[arg-type]


@pytest.mark.servers
async def test_on_postgresql_from_a_dsn(tmp_path: Path) -> None:
    """A postgres:// DSN works; dollar-quoted bodies and '%' pass through untouched."""
    directory = write(
        tmp_path / "m",
        {
            "1_fn.sql": "CREATE FUNCTION one() RETURNS int AS $$ BEGIN RETURN 1; END; $$"
            " LANGUAGE plpgsql;\nCREATE TABLE t (x int, y text DEFAULT '100%');",
            "2_row.sql": "INSERT INTO t (x) VALUES (one());",
        },
    )
    with scratch_database() as dsn:
        migrations = sql_directory(directory, dsn, table="schema history")
        assert [m.name for m in await migrations.pending()] == ["1_fn", "2_row"]
        assert len(await migrations.apply()) == 2
        assert await migrations.apply() == []
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT x, y FROM t").fetchall() == [(1, "100%")]
            assert conn.execute('SELECT count(*) FROM "schema history"').fetchone() == (2,)
