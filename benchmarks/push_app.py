"""The service `wait_push.py` waits for: ready when GET /release arrives, and it says when.

One step waits for GET /release. A hook notes the wall-clock moment the service turned ready
(GET /flipped returns it), and the outermost layer counts requests by User-Agent (GET /count),
so the benchmark can tell how many requests each waiter needed.

    uvicorn benchmarks.push_app:service --factory
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import MutableMapping
from typing import Any

import anyio

import bootgate
from bootgate.http import asgi

Scope = MutableMapping[str, Any]


def service() -> Any:
    """The ASGI app: a bootgate service around an app that only answers the control paths."""
    release = anyio.Event()
    flipped: list[float] = []
    requests: Counter[str] = Counter()

    def note(event: bootgate.Event) -> None:
        if event.kind == bootgate.EventKind.BOOT_READY and not flipped:
            flipped.append(time.time())

    boot = bootgate.Boot("push", hooks=[note])

    @boot.step
    async def held() -> None:
        await release.wait()

    async def control(scope: Scope, receive: Any, send: Any) -> None:
        if scope["path"] == "/release":
            release.set()
            await _text(send, b'"released"')
        else:
            await _text(send, b"ok")

    gated = asgi(boot, control, exempt=["/release"])

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await gated(scope, receive, send)
            return
        if scope["path"] == "/flipped":
            await _text(send, json.dumps(flipped[0] if flipped else None).encode())
            return
        if scope["path"] == "/count":
            await _text(send, json.dumps(requests).encode())
            return
        agent = dict(scope["headers"]).get(b"user-agent", b"?").decode(errors="replace")
        requests[agent.split("/")[0]] += 1
        await gated(scope, receive, send)

    return app


async def _text(send: Any, body: bytes) -> None:
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
