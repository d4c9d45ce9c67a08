"""Startup wall time of 20 replicas that migrate under one lock, against a single replica.

Each replica is a process whose one step applies three migrations (0.1 s of server work each)
while holding a PostgreSQL lock (`bootgate.locks.postgres` + `bootgate.migrations`); the others
wait, then find nothing to do. Wall time from starting the processes to the last one ready, on a
fresh database each run, median of the runs; the machine's PostgreSQL (5432, trust).

    .venv/bin/python benchmarks/replica_startup.py [--replicas 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/postgres"

REPLICA = """
import sys, anyio
from bootgate import Boot, locks
from bootgate.migrations import sql_directory
dsn, folder = sys.argv[1:3]
boot = Boot("replica", hooks=[])
lock = locks.postgres(dsn, "gateway-migrations")
@boot.step
async def migrations(ctx):
    async def attempt(lease):
        await sql_directory(folder, dsn).apply(progress=ctx.progress)
    await locks.run_exclusive(lock, lambda reason: None, attempt)
async def main():
    async with boot.running():
        pass
anyio.run(main)
"""


BARE = REPLICA.replace(
    "await locks.run_exclusive(lock, lambda reason: None, attempt)", "psycopg_loaded = lock"
)
"""The same process without the lock and the migrations: what 20 Python processes cost here."""


def one_run(replicas: int, folder: Path, script: str = REPLICA) -> float:
    """Seconds until `replicas` processes against a fresh database are all ready."""
    name = f"bg_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        dsn = PG.rsplit("/", 1)[0] + f"/{name}"
        started = time.perf_counter()
        procs = [
            subprocess.Popen([sys.executable, "-c", script, dsn, str(folder)], cwd=ROOT)
            for _ in range(replicas)
        ]
        if any(p.wait(120) != 0 for p in procs):
            raise RuntimeError("a replica failed")
        return time.perf_counter() - started
    finally:
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def main() -> None:
    """Time one replica and N replicas, alternating, and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(1, 4):
            (folder / f"{i:04d}_m.sql").write_text(
                f"CREATE TABLE t{i} (x int);\nSELECT pg_sleep(0.1);"
            )
        single, many, bare = [], [], []
        for _ in range(args.runs):
            single.append(one_run(1, folder))
            many.append(one_run(args.replicas, folder))
            bare.append(one_run(args.replicas, folder, BARE))
    one, n, b = statistics.median(single), statistics.median(many), statistics.median(bare)
    print(f"median of {args.runs} runs, wall time until every replica is ready")
    print(f"1 replica, lock + 3 migrations:  {one * 1000:8.1f} ms  1.00x")
    print(f"{args.replicas} replicas, same:             {n * 1000:8.1f} ms  {n / one:.2f}x")
    print(f"{args.replicas} processes, no lock or work: {b * 1000:8.1f} ms  {b / one:.2f}x")


if __name__ == "__main__":
    main()
