"""The main demo: scenario S1's gateway behind bootgate, live in a browser.

    python -m examples.s1_gateway.demo [--port 8000]   # scripts/demo runs the S1 stack

It starts the gateway (25 migrations of 0.4 s each on a fresh SQLite file, or PostgreSQL from
DATABASE_URL) behind bootgate's gate on http://127.0.0.1:8000/ and prints the addresses to
open: the initializing page shows each step and the migration progress live, then reloads
into the app (/api/packages) once the gateway is ready. Ctrl-C stops it; teardown follows.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import anyio
import uvicorn

from bootgate.http import asgi

from .app import build_gateway


def asgi_app() -> Any:
    """uvicorn factory: the gated gateway on DATABASE_URL, or on a fresh SQLite file."""
    url = os.environ.get("DATABASE_URL") or str(Path(tempfile.mkdtemp()) / "gateway.db")
    boot, app = build_gateway(url)
    return asgi(boot, app)


async def serve(port: int, database_url: str, delay: float, seconds: float | None) -> None:
    """Serve the gated gateway until Ctrl-C (or for `seconds`)."""
    boot, app = build_gateway(database_url, migration_delay=delay)
    config = uvicorn.Config(
        asgi(boot, app), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    base = f"http://127.0.0.1:{port}"
    print(f"gateway starting on {base}/  (25 migrations, {delay:g} s each)")
    print(f"  the app, gated:        {base}/api/packages   (open it in a browser now)")
    print(f"  readiness:             {base}/readyz?verbose")
    print(f"  status (health+json):  {base}/status")
    print(f"  live status stream:    {base}/status/stream")
    print("Ctrl-C to stop")
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        async for status in boot.subscribe():
            if status.ready:
                print(f"gateway ready after {status.at_s:.1f} s: {base}/api/packages")
                break
            if status.failed:
                print("gateway cannot start: " + "; ".join(status.failures()))
                break
        if seconds is not None:
            await anyio.sleep(seconds)
            server.should_exit = True


def main() -> None:
    """Parse options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--migration-delay", type=float, default=float(os.environ.get("MIGRATION_DELAY", "0.4"))
    )
    parser.add_argument(
        "--serve-for",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop this many seconds after the gateway is ready",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or str(Path(tmp) / "gateway.db")
        with contextlib.suppress(KeyboardInterrupt):
            anyio.run(serve, args.port, url, args.migration_delay, args.serve_for)


if __name__ == "__main__":
    main()
