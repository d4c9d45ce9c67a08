"""Takeover after the holder of an exclusive lock dies (kill -9), against the waits users configure.

A holder process takes the lock and works; a waiter in this process waits for it; at a random
moment the holder is killed with SIGKILL, and the time from the kill to the waiter holding the
lock is measured.

- bootgate PostgreSQL lock: the waiter blocks in `pg_advisory_lock`; the server ends the dead
  holder's session and wakes the waiter.
- Flyway's way on PostgreSQL (measured side by side): `pg_try_advisory_lock` retried once a
  second (Flyway's RetryStrategy sleeps 1000 ms between tries; `lockRetryCount` defaults to 50).
- bootgate Redis lease: the dead holder's lease runs out after its TTL.
- Liquibase (stated, not run): its lock is a row in DATABASECHANGELOGLOCK that a dead holder
  leaves locked; waiters poll every `changelogLockPollRate` = 10 s and give up after
  `changelogLockWaitTimeInMinutes` = 5 min, until someone runs `liquibase release-locks`.

Needs the machine's PostgreSQL (5432, trust) and Redis (6379).

    .venv/bin/python benchmarks/lock_takeover.py [--runs 10] [--ttl 2]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import anyio.to_thread
import psycopg
import redis as redis_py

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from bootgate import locks

PG = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"
FLYWAY_RETRY_S = 1.0
FLYWAY_RETRIES = 50
LIQUIBASE_WAIT_S = 5 * 60

HOLDER = """
import sys, anyio
from bootgate import locks
kind, url, name, ttl = sys.argv[1:5]
lock = locks.postgres(url, name) if kind == "pg" else locks.redis(url, name, ttl=float(ttl))
async def work(lease):
    print("held", flush=True)
    await anyio.sleep(600)
anyio.run(locks.run_exclusive, lock, lambda r: None, work)
"""


def start_holder(kind: str, url: str, name: str, ttl: float) -> subprocess.Popen[str]:
    """A process holding the lock; returns once it says so."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, kind, url, name, str(ttl)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "held":
        raise RuntimeError("the holder did not take the lock")
    return proc


async def takeover(
    kind: str, name: str, ttl: float, wait: Callable[[Callable[[], None]], Awaitable[None]]
) -> float:
    """Seconds from killing the holder to `wait` holding the lock."""
    holder = start_holder(kind, PG if kind == "pg" else REDIS, name, ttl)
    waiting = anyio.Event()
    acquired_at = 0.0

    async def waiter() -> None:
        nonlocal acquired_at
        await wait(waiting.set)
        acquired_at = time.monotonic()

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            with anyio.fail_after(30):
                await waiting.wait()
            # Killed at a random moment of the waiter's (or the lease's) cycle, not in step.
            await anyio.sleep(random.uniform(0.3, 1.3))
            killed_at = time.monotonic()
            os.kill(holder.pid, signal.SIGKILL)
    finally:
        holder.kill()
        holder.wait()
    return acquired_at - killed_at


def bootgate_wait(lock: locks.ExclusiveLock) -> Callable[[Callable[[], None]], Awaitable[None]]:
    """Wait with run_exclusive; `started` is called at the first waiting report."""

    async def wait(started: Callable[[], None]) -> None:
        async def attempt(lease: locks.Lease) -> None:
            pass

        await locks.run_exclusive(lock, lambda reason: started(), attempt)

    return wait


def flyway_wait(key: int) -> Callable[[Callable[[], None]], Awaitable[None]]:
    """Flyway's loop: try the advisory lock, sleep a second, try again."""

    async def wait(started: Callable[[], None]) -> None:
        conn = await anyio.to_thread.run_sync(lambda: psycopg.connect(PG, autocommit=True))
        try:
            for _ in range(FLYWAY_RETRIES + 1):
                row = await anyio.to_thread.run_sync(
                    lambda: conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
                )
                if row and row[0]:
                    return
                started()
                await anyio.sleep(FLYWAY_RETRY_S)
            raise RuntimeError("Flyway would have given up")
        finally:
            conn.close()

    return wait


def summary(samples: list[float]) -> tuple[float, float]:
    """(median, p90) in seconds."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


async def main(runs: int, ttl: float) -> None:
    """Measure each case `runs` times and print the table."""
    results: dict[str, list[float]] = {"pg": [], "flyway": [], "redis": []}
    for _ in range(runs):
        name = f"bench-{uuid.uuid4().hex[:8]}"
        pg_lock = locks.postgres(PG, name)
        results["pg"].append(await takeover("pg", name, ttl, bootgate_wait(pg_lock)))
        results["flyway"].append(await takeover("pg", name, ttl, flyway_wait(pg_lock.key)))
        redis_lock = locks.redis(REDIS, name, ttl=ttl)
        results["redis"].append(await takeover("redis", name, ttl, bootgate_wait(redis_lock)))
        redis_py.Redis.from_url(REDIS).delete(redis_lock.key, f"{redis_lock.key}:fence")
    rows = [
        ("bootgate, PostgreSQL advisory lock", *summary(results["pg"])),
        ("Flyway-style retry every 1 s (PostgreSQL)", *summary(results["flyway"])),
        (f"bootgate, Redis lease (ttl {ttl:g} s)", *summary(results["redis"])),
    ]
    print(f"takeover after kill -9 of the holder, {runs} runs each")
    print(f"{'waiter':<44} {'median':>9} {'p90':>9}  {'vs Flyway median':>16}")
    flyway = rows[1][1]
    for label, median, p90 in rows:
        ms = f"{median * 1000:>7.1f}ms {p90 * 1000:>7.1f}ms"
        print(f"{label:<44} {ms}  {median / flyway:>15.3f}x")
    print()
    print("bounds users would otherwise configure (documented defaults):")
    give_up = FLYWAY_RETRIES * FLYWAY_RETRY_S
    print(f"  Flyway lockRetryCount 50 x 1 s: a waiter gives up after ~{give_up:g} s")
    print(
        f"  Liquibase changelogLockWaitTimeInMinutes 5 (poll 10 s): a dead holder's lock stays; "
        f"waiters fail after {LIQUIBASE_WAIT_S} s"
    )
    pg_median = rows[0][1]
    print(
        f"  bootgate PostgreSQL takeover / Flyway give-up: {pg_median / give_up:.5f}x; "
        f"/ Liquibase wait: {pg_median / LIQUIBASE_WAIT_S:.6f}x"
    )
    print(f"  bootgate Redis takeover / its ttl: {rows[2][1] / ttl:.3f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--ttl", type=float, default=2.0)
    args = parser.parse_args()
    anyio.run(main, args.runs, args.ttl)
