"""Migration helpers for steps: versioned `.sql` files, or Alembic, with progress per migration.

```python
from bootgate import migrations

@boot.step(requires=[db], exclusive=locks.postgres(DSN, "gateway-migrations"))
async def schema(ctx):
    await migrations.sql_directory("migrations/", DSN).apply(progress=ctx.progress)
```
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ._alembic import AlembicMigrations
from ._files import Migration, split_statements
from ._sqldir import ChangedMigrationError, Progress, SqlDirectory


def sql_directory(
    path: str | os.PathLike[str],
    connect: str | Callable[[], Any],
    *,
    table: str = "bootgate_migrations",
) -> SqlDirectory:
    """The versioned `.sql` files in `path`, for the database `connect` reaches.

    `connect` is a postgres:// DSN (extra `postgres`) or a function returning a new DB-API
    connection (sqlite3, psycopg, PyMySQL...). Files are named `<version>_<name>.sql` and run
    in version order; the `table` records each applied one with its checksum, and a file
    changed after it was applied is a `ChangedMigrationError` (a `PermanentError`).
    """
    return SqlDirectory(path, connect, table=table)


def alembic(config: str | os.PathLike[str] | Any) -> AlembicMigrations:
    """An Alembic project from its `alembic.ini` path or `Config` (extra `alembic`)."""
    return AlembicMigrations(config)


__all__ = [
    "AlembicMigrations",
    "ChangedMigrationError",
    "Migration",
    "Progress",
    "SqlDirectory",
    "alembic",
    "split_statements",
    "sql_directory",
]
