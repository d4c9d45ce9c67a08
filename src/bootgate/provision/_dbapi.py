"""`SqlTable`: a table behind a DB-API connection (sqlite3, psycopg, PyMySQL, ...)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from bootgate._errors import ConfigError

from ._plan import Row, key_columns
from ._sql import Dialect, check_identifier


class SqlTable:
    """Rows of `table` reached through a DB-API `connection`, for `reconcile`.

    `key` names the column(s) that identify a row; `owner=(column, value)` is the marker that
    says a row was provisioned here: only rows carrying it are ever updated or deleted. The
    work runs in one transaction on the connection, committed at the end (rolled back on
    error). The connection is used in the calling thread: call `reconcile` from the thread
    that made it (a sync step runs in a worker thread of its own, which suits psycopg).
    """

    def __init__(
        self,
        connection: Any,
        table: str,
        *,
        key: str | Sequence[str],
        owner: tuple[str, object],
        schema: str | None = None,
    ) -> None:
        self.connection = connection
        self.dialect = Dialect(connection)
        self.table = check_identifier(table, "the table")
        self.schema = None if schema is None else check_identifier(schema, "the schema")
        self.key = tuple(check_identifier(c, "a key column") for c in key_columns(key))
        self.owner = _owner(owner)

    def __repr__(self) -> str:
        return f"SqlTable({self.table!r}, key={self.key!r}, owner={self.owner!r})"

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        conn = self.connection
        if self.dialect.driver == "sqlite3":
            # sqlite3 opens transactions only before writes; the read must be inside it too,
            # and IMMEDIATE takes the write lock now so two reconcilers cannot interleave.
            if not conn.in_transaction:
                conn.execute("BEGIN IMMEDIATE")
        elif getattr(conn, "autocommit", False) is True:
            conn.cursor().execute("BEGIN")
        try:
            yield _Transaction(self)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


class _Transaction:
    def __init__(self, table: SqlTable) -> None:
        self._t = table
        self._d = table.dialect
        self._name = self._d.table(table.table, table.schema)

    def rows(self, columns: Sequence[str]) -> list[Row]:
        names = [check_identifier(c, "a column") for c in columns]
        sql = f"SELECT {', '.join(self._d.quote(c) for c in names)} FROM {self._name}"
        cursor = self._t.connection.cursor()
        try:
            # Parameters (none) are passed so that "%%" in a quoted name reads as "%".
            cursor.execute(sql, self._d.params(()))
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        if fetched and isinstance(fetched[0], Mapping):  # a dict row factory
            return [dict(row) for row in fetched]
        return [dict(zip(names, row)) for row in fetched]  # noqa: B905 - one width per query

    def insert(self, rows: Sequence[Row]) -> None:
        columns = list(rows[0])
        marks = ", ".join(self._d.marker(i) for i in range(len(columns)))
        names = ", ".join(self._d.quote(c) for c in columns)
        self._many(
            f"INSERT INTO {self._name} ({names}) VALUES ({marks})",
            [[row[c] for c in columns] for row in rows],
        )

    def update(self, rows: Sequence[Row]) -> None:
        key, (marker, mine) = self._t.key, self._t.owner
        columns = [c for c in rows[0] if c not in key and c != marker]
        if not columns:
            return
        sets = ", ".join(f"{self._d.quote(c)} = {self._d.marker(i)}" for i, c in enumerate(columns))
        where = self._where(len(columns))
        self._many(
            f"UPDATE {self._name} SET {sets} WHERE {where}",
            [[*(row[c] for c in columns), *(row[k] for k in key), mine] for row in rows],
        )

    def delete(self, rows: Sequence[Row]) -> None:
        mine = self._t.owner[1]
        self._many(
            f"DELETE FROM {self._name} WHERE {self._where(0)}",
            [[*(row[k] for k in self._t.key), mine] for row in rows],
        )

    def _where(self, first: int) -> str:
        # The owner marker is in every WHERE: whatever the plan says, a row that is not ours
        # cannot be changed by these statements.
        columns = [*self._t.key, self._t.owner[0]]
        return " AND ".join(
            f"{self._d.quote(c)} = {self._d.marker(first + i)}" for i, c in enumerate(columns)
        )

    def _many(self, sql: str, values: list[list[object]]) -> None:
        cursor = self._t.connection.cursor()
        try:
            cursor.executemany(sql, [self._d.params(v) for v in values])
        finally:
            cursor.close()


def _owner(owner: tuple[str, object]) -> tuple[str, object]:
    if not isinstance(owner, tuple) or len(owner) != 2:
        raise ConfigError(f"owner must be a (column, value) pair, got {owner!r}")
    column, value = owner
    if value is None:
        raise ConfigError("the owner value cannot be None: rows people create have no marker")
    return check_identifier(column, "the owner column"), value
