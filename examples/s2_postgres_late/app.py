"""Scenario S2: an app that starts before its PostgreSQL, in an orchestrator without ordering.

The app declares PostgreSQL as a dependency (`boot.dependency("db", DATABASE_URL)`): it waits
with exponential backoff and jitter, bounded by a deadline (`BOOTGATE_TIMEOUT`, default 60s),
logging every attempt; then it serves HTTP (`/readyz` answers from `boot.ready`). A wrong
password or a missing database ends it at once with exit code 3 and one clear line. After
startup the dependency is re-probed: a lost PostgreSQL turns `/readyz` to 503 until it is back,
and the process lives on.

`--no-wait` is the incident: connect once at startup (with psycopg, as the app would), crash if
PostgreSQL is not there yet.

    DATABASE_URL=postgres://app:secret@127.0.0.1:5432/app PORT=8080 \\
        python -m examples.s2_postgres_late.app
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import anyio
from anyio.abc import SocketStream

from bootgate import Boot, Hook, Retry, StartupError, parse_duration, redact


def build_boot(
    database_url: str,
    *,
    deadline: float = 60.0,
    recheck: float = 0.5,
    hooks: list[Hook] | None = None,
) -> Boot:
    """The app's startup graph: one dependency, PostgreSQL, waited for and then re-checked."""
    boot = Boot("shop", hooks=hooks)
    boot.dependency("db", database_url, retry=Retry(timeout=deadline), recheck=recheck)
    return boot


async def serve_http(boot: Boot, port: int) -> None:
    """A minimal HTTP server: `/readyz` is 200 while ready, 503 otherwise."""

    async def answer(client: SocketStream) -> None:
        async with client:
            try:
                request = await client.receive(4096)
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                return  # a bare connect (a TCP probe) is not a request
            path = request.split(b" ", 2)[1] if request.count(b" ") >= 2 else b"/"
            ok = boot.ready if path.startswith(b"/readyz") else True
            body = b"ok\n" if ok else b"not ready\n"
            status = b"200 OK" if ok else b"503 Service Unavailable"
            head = f"HTTP/1.1 {status.decode()}\r\nContent-Length: {len(body)}\r\n"
            await client.send(head.encode() + b"Connection: close\r\n\r\n" + body)

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=port)
    print(f"shop: serving on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    await listener.serve(answer)


async def run(database_url: str, port: int, deadline: float) -> int:
    """Wait for the database, then serve until interrupted; 3 if it can never be ready."""
    boot = build_boot(database_url, deadline=deadline)
    try:
        async with boot.running():
            await serve_http(boot, port)
    except StartupError as exc:
        print(f"shop: cannot start: {redact(str(exc))}", file=sys.stderr, flush=True)
        return 3
    return 0


def run_without_waiting(database_url: str) -> int:
    """The incident: one connect at startup; no database yet means a crash."""
    import psycopg

    with psycopg.connect(database_url, connect_timeout=3) as connection:
        connection.execute("SELECT 1")
    return 0


def main() -> int:
    """Read DATABASE_URL, PORT and BOOTGATE_TIMEOUT; run the app."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-wait", action="store_true", help="the incident: no waiting")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    url = os.environ["DATABASE_URL"]
    if args.no_wait:
        return run_without_waiting(url)
    deadline = parse_duration(os.environ.get("BOOTGATE_TIMEOUT", "60s"), what="BOOTGATE_TIMEOUT")
    return anyio.run(run, url, int(os.environ.get("PORT", "8080")), deadline)


if __name__ == "__main__":
    sys.exit(main())
