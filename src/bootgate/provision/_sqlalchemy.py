"""`SqlAlchemyTable`: a table behind a SQLAlchemy Engine or Connection, sync or async."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from typing import Any

from ._dbapi import _owner
from ._plan import Row, key_columns
from ._sql import check_identifier


class SqlAlchemyTable:
    """Rows of `table` through SQLAlchemy (Core statements; SQLAlchemy quotes the names).

    `bind` is an Engine or Connection, or their async forms. An Engine gets a transaction of its
    own, committed at the end; a Connection already in a transaction gets a savepoint inside it,
    and the caller commits.
    """

    def __init__(
        self,
        bind: Any,
        table: str,
        *,
        key: str | Sequence[str],
        owner: tuple[str, object],
        schema: str | None = None,
    ) -> None:
        import sqlalchemy  # the caller made `bind` with it, so it is installed

        self._sa = sqlalchemy
        self.bind = bind
        self.table = check_identifier(table, "the table")
        self.schema = None if schema is None else check_identifier(schema, "the schema")
        self.key = tuple(check_identifier(c, "a key column") for c in key_columns(key))
        self.owner = _owner(owner)
        module = type(bind).__module__
        self.is_async = module.startswith("sqlalchemy.ext.asyncio")

    def __repr__(self) -> str:
        return f"SqlAlchemyTable({self.table!r}, key={self.key!r}, owner={self.owner!r})"

    def transaction(
        self,
    ) -> AbstractContextManager[_Statements] | AbstractAsyncContextManager[_AsyncStatements]:
        """A transaction (async for an async bind) whose statements reconcile runs."""
        return self._async_transaction() if self.is_async else self._sync_transaction()

    @contextmanager
    def _sync_transaction(self) -> Iterator[_Statements]:
        sa = self._sa
        if isinstance(self.bind, sa.engine.Engine):
            with self.bind.begin() as conn:
                yield _Statements(self, conn)
        else:
            begin = self.bind.begin_nested if self.bind.in_transaction() else self.bind.begin
            with begin():
                yield _Statements(self, self.bind)

    @asynccontextmanager
    async def _async_transaction(self) -> AsyncIterator[_AsyncStatements]:
        from sqlalchemy.ext.asyncio import AsyncEngine

        if isinstance(self.bind, AsyncEngine):
            async with self.bind.begin() as conn:
                yield _AsyncStatements(_Statements(self, conn))
        else:
            begin = self.bind.begin_nested if self.bind.in_transaction() else self.bind.begin
            async with begin():
                yield _AsyncStatements(_Statements(self, self.bind))

    def statements(self, columns: Sequence[str]) -> Any:
        """A lightweight `table()` construct with `columns` (names quoted by SQLAlchemy)."""
        sa = self._sa
        return sa.table(self.table, *(sa.column(c) for c in columns), schema=self.schema)


class _Statements:
    """Builds the statements; runs them on a sync connection (or hands them to the async one)."""

    def __init__(self, table: SqlAlchemyTable, conn: Any) -> None:
        self.t = table
        self.conn = conn

    def select_stmt(self, columns: Sequence[str]) -> Any:
        names = [check_identifier(c, "a column") for c in columns]
        table = self.t.statements(names)
        return self.t._sa.select(*(table.c[c] for c in names))

    def insert_stmt(self, rows: Sequence[Row]) -> tuple[Any, list[dict[str, object]]]:
        return self.t._sa.insert(self.t.statements(list(rows[0]))), [dict(r) for r in rows]

    def update_stmt(self, rows: Sequence[Row]) -> tuple[Any, list[dict[str, object]]] | None:
        sa, key, (marker, mine) = self.t._sa, self.t.key, self.t.owner
        columns = [c for c in rows[0] if c not in key and c != marker]
        if not columns:
            return None
        table = self.t.statements([*columns, *key, marker])
        stmt = (
            sa.update(table)
            .where(*self._match(table))
            .values({c: sa.bindparam(f"v_{i}") for i, c in enumerate(columns)})
        )
        params = [
            {
                **{f"v_{i}": r[c] for i, c in enumerate(columns)},
                **{f"k_{i}": r[k] for i, k in enumerate(key)},
                "owner_value": mine,
            }
            for r in rows
        ]
        return stmt, params

    def delete_stmt(self, rows: Sequence[Row]) -> tuple[Any, list[dict[str, object]]]:
        key, (marker, mine) = self.t.key, self.t.owner
        table = self.t.statements([*key, marker])
        params = [
            {**{f"k_{i}": r[k] for i, k in enumerate(key)}, "owner_value": mine} for r in rows
        ]
        return self.t._sa.delete(table).where(*self._match(table)), params

    def _match(self, table: Any) -> list[Any]:
        sa, marker = self.t._sa, self.t.owner[0]
        return [
            *(table.c[k] == sa.bindparam(f"k_{i}") for i, k in enumerate(self.t.key)),
            table.c[marker] == sa.bindparam("owner_value"),
        ]

    # -- the sync transaction protocol ----------------------------------------------------------

    def rows(self, columns: Sequence[str]) -> list[Row]:
        return [dict(r._mapping) for r in self.conn.execute(self.select_stmt(columns))]

    def insert(self, rows: Sequence[Row]) -> None:
        self.conn.execute(*self.insert_stmt(rows))

    def update(self, rows: Sequence[Row]) -> None:
        built = self.update_stmt(rows)
        if built is not None:
            self.conn.execute(*built)

    def delete(self, rows: Sequence[Row]) -> None:
        self.conn.execute(*self.delete_stmt(rows))


class _AsyncStatements:
    def __init__(self, statements: _Statements) -> None:
        self._s = statements

    async def rows(self, columns: Sequence[str]) -> list[Row]:
        result = await self._s.conn.execute(self._s.select_stmt(columns))
        return [dict(r._mapping) for r in result]

    async def insert(self, rows: Sequence[Row]) -> None:
        await self._s.conn.execute(*self._s.insert_stmt(rows))

    async def update(self, rows: Sequence[Row]) -> None:
        built = self._s.update_stmt(rows)
        if built is not None:
            await self._s.conn.execute(*built)

    async def delete(self, rows: Sequence[Row]) -> None:
        await self._s.conn.execute(*self._s.delete_stmt(rows))
