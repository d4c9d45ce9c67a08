"""One replica of a service whose migrations step is exclusive on a PostgreSQL lock.

    python -m tests.locks.replica DSN MIGRATIONS_DIR

Prints one JSON object per line: {"event": "wait", "reason": ...} for each `waiting_for_lock`
event of its boot while another replica holds the lock, "enter" and "leave" around its
exclusive work (with the time and the migrations it applied), and "ready" once its startup is
complete.
"""

from __future__ import annotations

import json
import os
import sys
import time

import anyio

from bootgate import Boot, Event, EventKind, StepContext, locks
from bootgate.migrations import sql_directory


def emit(event: str, **fields: object) -> None:
    """One line of the replica's report."""
    print(json.dumps({"event": event, "pid": os.getpid(), **fields}), flush=True)


async def main(dsn: str, directory: str) -> None:
    """Start the replica: its one step migrates while holding the lock."""

    def report(event: Event) -> None:
        if event.kind is EventKind.WAITING_FOR_LOCK and event.node is not None:
            emit("wait", reason=event.message, phase=event.node.phase.value)

    boot = Boot("replica", hooks=[report])

    @boot.step(exclusive=locks.postgres(dsn, "gateway-migrations"))
    async def migrations(ctx: StepContext) -> None:
        emit("enter", t=time.time())
        applied = await sql_directory(directory, dsn).apply(progress=ctx.progress)
        emit("leave", t=time.time(), applied=[m.name for m in applied])

    async with boot.running():
        emit("ready")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2])
