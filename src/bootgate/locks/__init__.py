"""Locks for work that one replica at a time may do: PostgreSQL, Redis and file locks.

```python
from bootgate import locks

lock = locks.postgres("postgres://app@db/app", "gateway-migrations")
```

Each lock implements `ExclusiveLock`; `run_exclusive(lock, on_wait, attempt)` runs one attempt
while holding it, reports who holds it while waiting ("lock gateway-migrations held by host-b pid
4121 for 12 s"), and cancels the attempt with `LockLost` if the lock is lost meanwhile. A lock
object holds nothing until `hold()` is entered, so one object can serve any number of attempts.
Drivers are imported when a lock of their kind is made; a missing one is a `MissingExtraError`
naming the extra to install.
"""

from __future__ import annotations

import os

from bootgate._exclusive import (
    ExclusiveLock,
    Holder,
    Lease,
    LockLost,
    run_exclusive,
    waiting_reason,
)

from ._common import require
from ._fence import FenceGate, StaleFenceError
from ._file import FileLock
from ._postgres import PostgresLock
from ._redis import RedisLock


def postgres(dsn: str, name: str, *, check_every: float = 5.0) -> PostgresLock:
    """A PostgreSQL session advisory lock named `name` on the database at `dsn` (extra `postgres`).

    Released by the server as soon as the holder's session ends, including when its process
    dies. Needs a direct connection or session pooling (not transaction pooling).
    """
    driver = require("psycopg", "postgres", "PostgreSQL locks")
    return PostgresLock(dsn, name, driver, check_every=check_every)


def redis(url: str, name: str, *, ttl: float = 10.0) -> RedisLock:
    """A Redis lease named `name`, lasting `ttl` seconds unless renewed (extra `redis`).

    A dead holder blocks the others for up to `ttl`; each tenure has a fencing token
    (`lease.fence`) that `RedisLock.check` and `FenceGate` use to refuse a replaced holder.
    """
    driver = require("redis", "redis", "Redis locks")
    return RedisLock(url, name, driver, ttl=ttl)


def file(path: str | os.PathLike[str], name: str | None = None) -> FileLock:
    """A lock file for the processes of one host (`flock`); named after the file by default."""
    return FileLock(path, name)


__all__ = [
    "ExclusiveLock",
    "FenceGate",
    "FileLock",
    "Holder",
    "Lease",
    "LockLost",
    "PostgresLock",
    "RedisLock",
    "StaleFenceError",
    "file",
    "postgres",
    "redis",
    "run_exclusive",
    "waiting_reason",
]
