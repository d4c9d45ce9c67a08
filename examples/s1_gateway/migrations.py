"""Twenty-five migrations, applied in order, each recorded so a restart resumes where it left."""

from __future__ import annotations

import time
from collections.abc import Callable

from .database import connect

MIGRATIONS: list[tuple[str, str]] = [
    ("Migration0001", "CREATE TABLE IF NOT EXISTS package (name TEXT PRIMARY KEY, version TEXT)"),
    *[
        (
            f"Migration{i:04d}",
            f"INSERT INTO package (name, version) VALUES ('pkg{i:02d}', '1.{i}.0')",
        )
        for i in range(2, 26)
    ],
]


def pending(url: str) -> list[tuple[str, str]]:
    """The migrations not applied yet to the database at `url`, in order."""
    with connect(url) as db:
        db.execute("CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY)")
        done = {row[0] for row in db.execute("SELECT name FROM schema_migration").fetchall()}
    return [m for m in MIGRATIONS if m[0] not in done]


def apply(
    url: str,
    todo: list[tuple[str, str]],
    delay: float,
    report: Callable[[int, int, str], None],
) -> None:
    """Apply `todo` in order (each takes `delay` seconds more, as real ones do), reporting each."""
    with connect(url) as db:
        for i, (name, sql) in enumerate(todo, 1):
            time.sleep(delay)
            db.execute(sql)
            db.execute(f"INSERT INTO schema_migration (name) VALUES ('{name}')")
            db.commit()
            report(i, len(todo), name)


def packages(url: str) -> list[dict[str, str]]:
    """Every package row."""
    with connect(url) as db:
        rows = db.execute("SELECT name, version FROM package ORDER BY name").fetchall()
    return [{"name": name, "version": version} for name, version in rows]
