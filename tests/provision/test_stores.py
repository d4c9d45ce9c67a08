"""The stores on real databases: DB-API (sqlite3, psycopg, PyMySQL), SQLAlchemy sync and async,
and a store of one's own; names quoted safely, values never in SQL, progress and dry runs."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import pymysql
import pytest
import sqlalchemy
from sqlalchemy.ext.asyncio import create_async_engine

from bootgate import ConfigError
from bootgate.provision import Row, SqlAlchemyTable, SqlTable, reconcile, reconcile_sync
from tests.locks.pg import scratch_database
from tests.servers import require_server

pytestmark = pytest.mark.anyio

# A table and columns whose names need quoting in every dialect.
TABLE = 'we"ird `%s name'
NAME, LABEL, OWNER_COLUMN = "the name", "label; DROP", "provisioned %by"
OWNER = (OWNER_COLUMN, "config")
EVIL = "x'); DROP TABLE provider; --"


def ddl(quote: str, serial: str) -> str:
    """CREATE TABLE for the awkward names with the dialect's identifier quote."""

    def q(name: str) -> str:
        return quote + name.replace(quote, quote * 2) + quote

    return (
        f"CREATE TABLE {q(TABLE)} (id {serial}, {q(NAME)} VARCHAR(50) NOT NULL UNIQUE,"
        f" {q(LABEL)} VARCHAR(200), {q(OWNER_COLUMN)} VARCHAR(20))"
    )


def desired(*names: str) -> list[Row]:
    """Desired rows; every label tries SQL injection and must be stored as text."""
    return [{NAME: n, LABEL: f"{n} {EVIL}"} for n in names]


def check_cycle(store: Any, read: Any, add_by_hand: Any) -> None:
    """Create, prune on rename, spare a row made by hand, conflict on its name, then nothing."""
    first = reconcile_sync(desired("github", "azure-ad"), store)
    assert first.summary() == "create 2, update 0, delete 0, unchanged 0, conflict 0"
    add_by_hand("custom-sso")
    second = reconcile_sync(desired("github", "entra-id", "custom-sso"), store)
    assert second.summary() == "create 1, update 0, delete 1, unchanged 1, conflict 1"
    assert read() == {
        "custom-sso": ("by hand", None),
        "entra-id": (f"entra-id {EVIL}", "config"),
        "github": (f"github {EVIL}", "config"),
    }
    third = reconcile_sync(desired("github", "entra-id", "custom-sso"), store, dry_run=True)
    assert third.changes == 0


def test_sqlite3(tmp_path: Any) -> None:
    """sqlite3 (qmark markers, double-quoted names)."""
    db = sqlite3.connect(tmp_path / "p.db")
    db.execute(ddl('"', "INTEGER PRIMARY KEY"))
    store = SqlTable(db, TABLE, key=NAME, owner=OWNER)
    q = f'"{TABLE.replace(chr(34), chr(34) * 2)}"'

    def read() -> dict[str, tuple[object, object]]:
        rows = db.execute(f'SELECT "the name", "label; DROP", "provisioned %by" FROM {q}')
        return {r[0]: (r[1], r[2]) for r in rows}

    def add_by_hand(name: str) -> None:
        with db:
            db.execute(
                f'INSERT INTO {q} ("the name", "label; DROP") VALUES (?, ?)', (name, "by hand")
            )

    check_cycle(store, read, add_by_hand)


@pytest.mark.servers
def test_psycopg() -> None:
    """psycopg ("%s" markers: a "%" in a name is doubled), in a schema of its own."""
    with scratch_database() as dsn, psycopg.connect(dsn) as conn:
        conn.execute('CREATE SCHEMA "app schema"')
        conn.execute('SET search_path TO "app schema"')
        conn.execute(ddl('"', "serial PRIMARY KEY"))
        conn.commit()
        store = SqlTable(conn, TABLE, key=NAME, owner=OWNER, schema="app schema")
        q = f'"app schema"."{TABLE.replace(chr(34), chr(34) * 2)}"'.replace("%", "%%")

        def read() -> dict[str, tuple[object, object]]:
            rows = conn.execute(
                f'SELECT "the name", "label; DROP", "provisioned %%by" FROM {q}', ()
            ).fetchall()
            conn.commit()
            return {r[0]: (r[1], r[2]) for r in rows}

        def add_by_hand(name: str) -> None:
            conn.execute(
                f'INSERT INTO {q} ("the name", "label; DROP") VALUES (%s, %s)', (name, "by hand")
            )
            conn.commit()

        check_cycle(store, read, add_by_hand)


@pytest.fixture
def mariadb() -> Iterator[pymysql.connections.Connection[Any]]:
    """A scratch database on the machine's MariaDB."""
    require_server(3306, "MariaDB")
    name = f"bg_test_{uuid.uuid4().hex[:10]}"
    conn = pymysql.connect(host="127.0.0.1", user="root")
    conn.cursor().execute(f"CREATE DATABASE {name}")
    conn.select_db(name)
    try:
        yield conn
    finally:
        conn.cursor().execute(f"DROP DATABASE {name}")
        conn.close()


@pytest.mark.servers
def test_pymysql(mariadb: pymysql.connections.Connection[Any]) -> None:
    """PyMySQL (backquoted names, "%s" markers)."""
    conn = mariadb
    conn.cursor().execute(ddl("`", "INT AUTO_INCREMENT PRIMARY KEY"))
    store = SqlTable(conn, TABLE, key=NAME, owner=OWNER)
    q = ("`" + TABLE.replace("`", "``") + "`").replace("%", "%%")

    def read() -> dict[str, tuple[object, object]]:
        cursor = conn.cursor()
        cursor.execute(f"SELECT `the name`, `label; DROP`, `provisioned %%by` FROM {q}", ())
        conn.commit()
        return {r[0]: (r[1], r[2]) for r in cursor.fetchall()}

    def add_by_hand(name: str) -> None:
        conn.cursor().execute(
            f"INSERT INTO {q} (`the name`, `label; DROP`) VALUES (%s, %s)", (name, "by hand")
        )
        conn.commit()

    check_cycle(store, read, add_by_hand)


def test_sqlalchemy_engine() -> None:
    """A sync Engine: reconcile runs in a transaction of its own."""
    engine = sqlalchemy.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql(ddl('"', "INTEGER PRIMARY KEY"))
    table = sqlalchemy.table(
        TABLE, sqlalchemy.column(NAME), sqlalchemy.column(LABEL), sqlalchemy.column(OWNER_COLUMN)
    )

    def read() -> dict[str, tuple[object, object]]:
        with engine.connect() as conn:
            rows = conn.execute(
                sqlalchemy.select(table.c[NAME], table.c[LABEL], table.c[OWNER_COLUMN])
            )
            return {r[0]: (r[1], r[2]) for r in rows}

    def add_by_hand(name: str) -> None:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.insert(table).values({NAME: name, LABEL: "by hand"}))

    check_cycle(SqlAlchemyTable(engine, TABLE, key=NAME, owner=OWNER), read, add_by_hand)
    engine.dispose()


@pytest.mark.servers
def test_sqlalchemy_connection_in_a_transaction_gets_a_savepoint() -> None:
    """On a Connection already in a transaction, the changes join it and the caller decides."""
    with scratch_database() as dsn:
        engine = sqlalchemy.create_engine(dsn.replace("postgres://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (name text PRIMARY KEY, by text)")
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("INSERT INTO t VALUES ('mine', 'config')"))
            store = SqlAlchemyTable(conn, "t", key="name", owner=("by", "config"))
            plan = reconcile_sync([{"name": "new"}], store)
            assert plan.summary() == "create 1, update 0, delete 1, unchanged 0, conflict 0"
            conn.rollback()  # the caller's transaction: nothing of it stays
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT count(*) FROM t")).scalar() == 0
        engine.dispose()


@pytest.mark.servers
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # SQLAlchemy's asyncio extension
async def test_sqlalchemy_async_engine(anyio_backend: str) -> None:
    """An AsyncEngine on PostgreSQL: reconcile awaits the store, progress after each change."""
    with scratch_database() as dsn:
        engine = create_async_engine(dsn.replace("postgres://", "postgresql+psycopg://"))
        async with engine.begin() as conn:
            await conn.exec_driver_sql(ddl('"', "serial PRIMARY KEY").replace("%", "%%"))
        store = SqlAlchemyTable(engine, TABLE, key=NAME, owner=OWNER)
        ticks: list[tuple[float, float | None, str]] = []
        plan = await reconcile(
            desired("a", "b"), store, progress=lambda d, t, m: ticks.append((d, t, m))
        )
        summary = "create 2, update 0, delete 0, unchanged 0, conflict 0"
        assert plan.summary() == summary
        assert ticks == [(0, 2, f"plan: {summary}"), (1, 2, "create a"), (2, 2, summary)]
        again = await reconcile(
            desired("b"), store, dry_run=True, progress=lambda d, t, m: ticks.append((d, t, m))
        )
        dry = "dry run: create 0, update 0, delete 1, unchanged 1, conflict 0"
        assert ticks[3:] == [(0, 1, dry)]
        assert again.delete[0][NAME] == "a"
        with pytest.raises(TypeError, match="asynchronous"):
            reconcile_sync(desired(), store)
        await engine.dispose()


class DictStore:
    """A store of one's own: rows in a dict, a transaction that commits a copy."""

    key = ("name",)
    owner: tuple[str, object] = ("by", "config")

    def __init__(self) -> None:
        self.data: dict[str, dict[str, object]] = {"ui": {"name": "ui", "by": None}}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[DictStore.Txn]:
        """Work on a copy; keep it only if the block succeeds."""
        txn = DictStore.Txn(dict(self.data))
        yield txn
        self.data = txn.data

    class Txn:
        """The async transaction protocol over a dict."""

        def __init__(self, data: dict[str, dict[str, object]]) -> None:
            self.data = data

        async def rows(self, columns: Sequence[str]) -> list[Row]:
            return list(self.data.values())

        async def insert(self, rows: Sequence[Row]) -> None:
            self.data.update({str(r["name"]): dict(r) for r in rows})

        async def update(self, rows: Sequence[Row]) -> None:
            await self.insert(rows)

        async def delete(self, rows: Sequence[Row]) -> None:
            for r in rows:
                del self.data[str(r["name"])]


async def test_a_store_of_ones_own() -> None:
    """Anything with the Store shape reconciles, with the same rules."""
    store = DictStore()
    await reconcile([{"name": "a"}, {"name": "ui"}], store)
    plan = await reconcile([{"name": "b"}], store)
    assert plan.summary() == "create 1, update 0, delete 1, unchanged 0, conflict 0"
    assert store.data == {"ui": {"name": "ui", "by": None}, "b": {"name": "b", "by": "config"}}


def test_names_and_owner_are_checked_up_front() -> None:
    """A NUL in a name, a None owner value or a malformed owner are ConfigErrors."""
    db = sqlite3.connect(":memory:")
    with pytest.raises(ConfigError, match="NUL"):
        SqlTable(db, "a\x00b", key="name", owner=OWNER)
    with pytest.raises(ConfigError, match="cannot be None"):
        SqlTable(db, "t", key="name", owner=("by", None))
    with pytest.raises(ConfigError, match=r"\(column, value\) pair"):
        SqlTable(db, "t", key="name", owner="by")  # type: ignore[arg-type]
