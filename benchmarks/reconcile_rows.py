"""Reconciling 10,000 provisioned rows, against the naive delete-all-and-insert.

Both run in one transaction on the same table, in the same process, on SQLite (a file) and on
the machine's PostgreSQL (psycopg). Three situations: the first deploy (empty table), a deploy
that changes nothing, and one that changes 1% (50 renamed rows, 50 updated). The naive way
deletes every owned row and inserts all desired rows each time; it also loses the rows' ids and
rewrites every row on every deploy. "rows written" counts inserts, updates and deletes.

    .venv/bin/python benchmarks/reconcile_rows.py [--rows 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from bootgate.provision import Row, SqlTable, reconcile_sync

PG = "postgres://postgres@127.0.0.1:5432/postgres"
DDL = (
    "CREATE TABLE provider (id {serial}, name TEXT NOT NULL UNIQUE, url TEXT, "
    "tenant TEXT, provisioned_by TEXT)"
)


def desired(n: int, changed: bool) -> list[Row]:
    """n providers; with `changed`, 50 renamed and 50 with a new url (1% of 10,000)."""
    rows: list[Row] = [
        {"name": f"provider-{i:05d}", "url": f"https://idp{i}.example/", "tenant": "default"}
        for i in range(n)
    ]
    if changed:
        for i in range(50):
            rows[i] = {**rows[i], "name": f"renamed-{i:05d}"}
        for i in range(50, 100):
            rows[i] = {**rows[i], "url": f"https://new{i}.example/"}
    return rows


def naive(conn: Any, rows: list[Row], marker: str) -> int:
    """Delete every owned row, insert every desired one, commit."""
    cursor = conn.cursor()
    cursor.execute(f"DELETE FROM provider WHERE provisioned_by = {marker}", ("config",))
    deleted = max(int(cursor.rowcount), 0)
    values = [(r["name"], r["url"], r["tenant"], "config") for r in rows]
    marks = ", ".join([marker] * 4)
    cursor.executemany(
        f"INSERT INTO provider (name, url, tenant, provisioned_by) VALUES ({marks})", values
    )
    conn.commit()
    return deleted + len(rows)


def bootgate(conn: Any, rows: list[Row], marker: str) -> int:
    """reconcile_sync: plan against the owned rows, write only the difference."""
    table = SqlTable(conn, "provider", key="name", owner=("provisioned_by", "config"))
    plan = reconcile_sync(rows, table)
    return plan.changes


def measure(
    connect: Callable[[], Any], reset: Callable[[Any], None], marker: str, n: int, runs: int
) -> list[tuple[str, str, float, int]]:
    """(situation, method, median seconds, rows written) for each situation and method."""
    out = []
    situations = [
        ("first deploy", None, False),
        ("no change", False, False),
        ("1% changed", False, True),
    ]
    for label, before, changed in situations:
        for method, run in (("bootgate", bootgate), ("naive", naive)):
            times, written = [], 0
            for _ in range(runs):
                conn = connect()
                reset(conn)
                if before is not None:
                    naive(conn, desired(n, before), marker)
                rows = desired(n, changed)
                started = time.perf_counter()
                written = run(conn, rows, marker)
                times.append(time.perf_counter() - started)
                conn.close()
            out.append((label, method, statistics.median(times), written))
    return out


def main() -> None:
    """Run both databases and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.db"

        def sqlite_reset(conn: Any) -> None:
            conn.execute("DROP TABLE IF EXISTS provider")
            conn.execute(DDL.format(serial="INTEGER PRIMARY KEY"))
            conn.commit()

        lite = measure(lambda: sqlite3.connect(path), sqlite_reset, "?", args.rows, args.runs)
        results = {"SQLite": lite}
    admin = psycopg.connect(PG, autocommit=True)
    name = f"bg_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f"CREATE DATABASE {name}")
    try:
        url = PG.rsplit("/", 1)[0] + f"/{name}"

        def pg_reset(conn: Any) -> None:
            conn.execute("DROP TABLE IF EXISTS provider")
            conn.execute(DDL.format(serial="serial PRIMARY KEY"))
            conn.commit()

        results["PostgreSQL"] = measure(
            lambda: psycopg.connect(url), pg_reset, "%s", args.rows, args.runs
        )
    finally:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        admin.close()
    print(f"{args.rows} rows, median of {args.runs} runs, plan + apply in one transaction")
    head = f"{'database':<11} {'situation':<13} {'bootgate':>10} {'naive':>10} {'ratio':>7}"
    print(f"{head}  rows written (bootgate / naive)")
    for db, rows in results.items():
        for i in range(0, len(rows), 2):
            (label, _, ours, w_ours), (_, _, theirs, w_theirs) = rows[i], rows[i + 1]
            print(
                f"{db:<11} {label:<13} {ours * 1000:>8.1f}ms {theirs * 1000:>8.1f}ms "
                f"{ours / theirs:>6.2f}x  {w_ours} / {w_theirs}"
            )


if __name__ == "__main__":
    main()
