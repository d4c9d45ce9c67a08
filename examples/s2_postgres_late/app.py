"""Scenario S2: an app that starts before its PostgreSQL, in an orchestrator without ordering.

The app is an ASGI application under uvicorn, wrapped by `boot.asgi(app)`. It declares
PostgreSQL as a dependency: while PostgreSQL is away the server already answers, `/readyz` is
503 with the reason (`[-]db waiting: connection refused, attempt 7, next in 0.2 s, gives up in
52 s`) and every other request gets the 503 with Retry-After; each attempt is logged, with
backoff and jitter bounded by a deadline (`BOOTGATE_TIMEOUT`, default 60s). Once PostgreSQL
accepts sessions, the connection step and the catalog step run and the app serves. After
startup the dependency is re-probed: a lost PostgreSQL turns `/readyz` to 503 until it is back,
and the process lives on. SIGTERM drops readiness, tears the steps down in reverse order
(catalog, then the connection) and exits 0.

A wrong password or a missing database is a permanent failure: the process ends at once with
exit status 3 and one clear line (`after_deadline="exit"`: a Nomad task group restarts a task
that exits, and knows nothing of readiness).

`--no-wait` is the incident: connect once at startup (with psycopg, as the app would), crash if
PostgreSQL is not there yet.

    DATABASE_URL=postgres://app:secret@127.0.0.1:5432/app PORT=8080 \\
        python -m examples.s2_postgres_late.app
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

from bootgate import Boot, Hook, Retry, parse_duration

log = logging.getLogger("shop")


class Shop:
    """The application: its startup graph, and an ASGI app that uses what the steps made."""

    def __init__(
        self,
        database_url: str,
        *,
        deadline: float = 60.0,
        recheck: float = 0.5,
        hooks: list[Hook] | None = None,
    ) -> None:
        self.boot = Boot("shop", hooks=hooks, after_deadline="exit")
        db = self.boot.dependency(
            "db", database_url, retry=Retry(timeout=deadline), recheck=recheck
        )
        self.catalog: list[str] = []

        @self.boot.step(requires=[db])
        def connection() -> Iterator[Any]:
            import psycopg

            conn = psycopg.connect(database_url, connect_timeout=3, autocommit=True)
            log.info("connected to the database")
            yield conn
            conn.close()
            log.info("closed the database connection")

        @self.boot.step(requires=[connection])
        def catalog() -> Iterator[list[str]]:
            self.catalog = ["apples", "pears"]  # loaded once at startup, as a cache would be
            log.info("catalog loaded: %d items", len(self.catalog))
            yield self.catalog
            self.catalog = []
            log.info("catalog dropped")

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """GET /items lists the catalog (the gate holds requests back until it is loaded)."""
        if scope["type"] != "http":
            return  # no lifespan of its own
        found = scope["path"] == "/items"
        body = json.dumps(self.catalog if found else {"error": "not found"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200 if found else 404,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


def serve(database_url: str, port: int, deadline: float) -> int:
    """Serve the shop with uvicorn until SIGTERM (0); a startup that fails for good exits 3."""
    import uvicorn

    shop = Shop(database_url, deadline=deadline)
    config = uvicorn.Config(
        shop.boot.asgi(shop.app), host="127.0.0.1", port=port, lifespan="on", log_level="warning"
    )
    # Once it has shut down gracefully, uvicorn raises the signal that stopped it again, so that
    # its previous handler decides how the process ends. The stop is complete by then (readiness
    # dropped, requests drained, steps torn down): acknowledging it makes the exit status 0.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: None)
    log.info("serving on 127.0.0.1:%d", port)
    uvicorn.Server(config).run()
    log.info("stopped")
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
    return serve(url, int(os.environ.get("PORT", "8080")), deadline)


if __name__ == "__main__":
    sys.exit(main())
