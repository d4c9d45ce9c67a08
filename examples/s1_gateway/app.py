"""Scenario S1's gateway: ready only after its migrations, with progress while they run.

    boot, app = build_gateway()   # app: a plain ASGI app serving GET /api/packages

The boot has three nodes: `database` (a SQLite file, or PostgreSQL from DATABASE_URL, waited for),
`migrations` (25 of them, "16/25 Migration0016" with an ETA) and `catalog` (the package list the
API serves, loaded once the schema is complete).
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from bootgate import Boot, Hook, Ready, StepContext, Transient

from . import migrations
from .database import is_postgres

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_SQLITE = ".bootgate-demo/gateway.db"


def build_gateway(
    database_url: str | None = None,
    *,
    migration_delay: float | None = None,
    hooks: list[Hook] | None = None,
) -> tuple[Boot, Callable[[Scope, Receive, Send], Awaitable[None]]]:
    """The gateway's Boot and its ASGI app (which the HTTP layer puts behind the gate)."""
    url = database_url or os.environ.get("DATABASE_URL") or DEFAULT_SQLITE
    delay = (
        float(os.environ.get("MIGRATION_DELAY", "0.4"))
        if migration_delay is None
        else migration_delay
    )
    boot = Boot("gateway", hooks=hooks)
    catalog: list[dict[str, str]] = []

    if is_postgres(url):
        database = boot.dependency("database", url)
    else:

        async def sqlite_file() -> Ready | Transient:
            return Ready("sqlite")

        database = boot.dependency("database", sqlite_file, recheck=None)

    @boot.step(requires=[database], budget="30s")
    def schema_migrations(ctx: StepContext) -> int:
        todo = migrations.pending(url)
        migrations.apply(url, todo, delay, ctx.progress)
        return len(todo)

    @boot.step(requires=[schema_migrations])
    def package_catalog() -> int:
        catalog[:] = migrations.packages(url)
        return len(catalog)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/api/packages":
            body = json.dumps({"packages": catalog}).encode()
            status = 200
        else:
            body, status = b'{"error": "not found"}', 404
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return boot, app
