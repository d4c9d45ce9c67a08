"""Scenario S5: an endpoint must not serve before the data it reads has been loaded.

The `load_items` step reads the item table into memory (the incident's "persistent term"); the
handler answers GET /items/<id> from that memory, and fails — 500 "could not find persistent
term" — if it runs before the load finished. `gated()` puts the app behind bootgate's gate;
`ungated()` is the incident: the same boot started from the lifespan, but nothing keeps
requests away from the handler meanwhile.

    uvicorn examples.s5_data_endpoint.app:gated --factory
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

from bootgate import Boot
from bootgate.http import asgi

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ITEMS = 100


def build(load_seconds: float | None = None) -> tuple[Boot, ASGIApp]:
    """The boot that loads the data, and the bare handler that reads it."""
    seconds = (
        float(os.environ.get("S5_LOAD_SECONDS", "1.0")) if load_seconds is None else load_seconds
    )
    boot = Boot("items", hooks=[])
    memory: dict[str, dict[str, Any]] = {}

    @boot.step
    async def load_items() -> int:
        await anyio.sleep(seconds)  # reading the table from disk
        memory["items"] = {str(i): {"id": i, "name": f"item-{i}"} for i in range(ITEMS)}
        return ITEMS

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        item_id = scope["path"].rsplit("/", 1)[-1]
        table = memory.get("items")
        if table is None:
            status, body = 500, {"error": "could not find persistent term items"}
        elif item_id in table:
            status, body = 200, table[item_id]
        else:
            status, body = 404, {"error": "no such item"}
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    return boot, handler


def gated() -> ASGIApp:
    """The fix: no request reaches the handler before every required step is done."""
    boot, handler = build()
    return asgi(boot, handler)


def ungated() -> ASGIApp:
    """The incident: the data loads in the background while the handler already serves."""
    boot, handler = build()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await handler(scope, receive, send)
            return
        message = await receive()
        async with boot.running(wait=False):
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
        if message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})

    return app
