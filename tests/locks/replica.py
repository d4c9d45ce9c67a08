"""One replica of a service that migrates under a PostgreSQL lock (run by test_replicas).

    python -m tests.locks.replica DSN MIGRATIONS_DIR

Prints one JSON object per line: {"event": "wait", "reason": ...} while another replica holds
the lock, "enter" and "leave" around its exclusive work (with the time and the migrations it
applied), and "ready" once its startup is complete.
"""

from __future__ import annotations

import json
import os
import sys
import time

import anyio

from bootgate import Boot, StepContext, locks
from bootgate.migrations import sql_directory


def emit(event: str, **fields: object) -> None:
    """One line of the replica's report."""
    print(json.dumps({"event": event, "pid": os.getpid(), **fields}), flush=True)


async def main(dsn: str, directory: str) -> None:
    """Start the replica: its one step migrates while holding the lock."""
    boot = Boot("replica", hooks=[])
    lock = locks.postgres(dsn, "gateway-migrations")

    @boot.step
    async def migrations(ctx: StepContext) -> None:
        async def attempt(lease: locks.Lease) -> None:
            emit("enter", t=time.time())
            applied = await sql_directory(directory, dsn).apply(progress=ctx.progress)
            emit("leave", t=time.time(), applied=[m.name for m in applied])

        await locks.run_exclusive(lock, lambda reason: emit("wait", reason=reason), attempt)

    async with boot.running():
        emit("ready")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2])
