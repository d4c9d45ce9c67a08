"""A process that takes a Redis lease and works for a long time (run by test_redis_lock).

    python -m tests.locks.lease_holder URL NAME TTL

Prints "holding <fence>" once it holds the lease, "lost: <reason>" (exit 3) if the lease is
lost, "finished" if its work ends first.
"""

from __future__ import annotations

import sys

import anyio

from bootgate import locks


async def main(url: str, name: str, ttl: float) -> int:
    """Hold the lease and work until it is lost (or 30 s pass)."""

    async def work(lease: locks.Lease) -> None:
        print(f"holding {lease.fence}", flush=True)
        await anyio.sleep(30)
        print("finished", flush=True)

    try:
        await locks.run_exclusive(locks.redis(url, name, ttl=ttl), print, work)
    except locks.LockLost as exc:
        print(f"lost: {exc.reason}", flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(anyio.run(main, sys.argv[1], sys.argv[2], float(sys.argv[3])))
