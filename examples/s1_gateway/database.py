"""The gateway's database: SQLite by default, PostgreSQL when DATABASE_URL says so.

Both are driven through DB-API connections in worker threads (bootgate runs sync steps there),
so the migrations below are plain SQL that both dialects accept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol


class Connection(Protocol):
    """The part of a DB-API connection the gateway uses."""

    def execute(self, sql: str) -> Any: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


def is_postgres(url: str) -> bool:
    """True for postgres:// and postgresql:// URLs."""
    return url.startswith(("postgres://", "postgresql://"))


@contextmanager
def connect(url: str) -> Iterator[Connection]:
    """A connection for `url` (a PostgreSQL URL, or a path to a SQLite file), closed after."""
    conn: Connection
    if is_postgres(url):
        import psycopg  # the `postgres` extra

        conn = psycopg.connect(url, connect_timeout=3)
    else:
        Path(url).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(url)
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()
