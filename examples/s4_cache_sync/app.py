"""Scenario S4: a UI must not say "no packages installed" before its cache has synced.

The `cache_sync` step fills the package cache (as an informer's first list does) and reports
progress; it has a time budget, and running past it fires an over-budget warning that is also
counted in Prometheus. Until the sync is done the gate answers every page with the initializing
page, whose live stream tells it to reload into the app once ready. /metrics stays reachable.

    uvicorn examples.s4_cache_sync.app:app --factory
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from prometheus_client import CollectorRegistry, generate_latest

from bootgate import Boot, StepContext
from bootgate.http import asgi
from bootgate.integrations.prometheus import PrometheusMetrics

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PACKAGES = [f"package-{i:02d}" for i in range(1, 41)]


async def _send(send: Send, status: int, content_type: str, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def app(sync_seconds: float | None = None, budget: str | None = None) -> ASGIApp:
    """The package UI behind bootgate's gate."""
    seconds = (
        float(os.environ.get("S4_SYNC_SECONDS", "2.0")) if sync_seconds is None else sync_seconds
    )
    boot = Boot("packages")
    registry = CollectorRegistry()
    PrometheusMetrics(boot, registry=registry)
    cache: list[str] = []

    @boot.step(budget=budget or os.environ.get("S4_BUDGET", "1s"))
    async def cache_sync(ctx: StepContext) -> int:
        for i, name in enumerate(PACKAGES, 1):
            await anyio.sleep(seconds / len(PACKAGES))  # one page of the list call
            cache.append(name)
            ctx.progress(i, len(PACKAGES), name)
        return len(cache)

    async def ui(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/metrics":
            await _send(send, 200, "text/plain; version=0.0.4", generate_latest(registry))
        elif path == "/api/packages":
            await _send(send, 200, "application/json", json.dumps({"packages": cache}).encode())
        elif path == "/":
            if cache:
                items = "".join(f"<li>{html.escape(p)}</li>" for p in cache)
                body = f"<h1>{len(cache)} packages installed</h1><ul>{items}</ul>"
            else:
                body = "<h1>no packages installed</h1>"  # what the incident showed
            page = f"<!doctype html><title>Packages</title>{body}"
            await _send(send, 200, "text/html; charset=utf-8", page.encode())
        else:
            await _send(send, 404, "text/plain", b"not found")

    return asgi(boot, ui, exempt=["/metrics"])
