"""The ASGI adapter: scopes become `Request`s, decisions become ASGI messages."""

from __future__ import annotations

import functools
from typing import Unpack

from bootgate import Clock

from ._config import GateConfig, GateOptions, resolve
from ._decision import Pass, Stream
from ._keeper import Gatekeeper
from ._request import Request
from ._responses import NOT_FOUND, Headers, Response
from ._source import StatusSource
from ._types import ASGIApp, Receive, Scope, Send

#: WebSocket close code 1013, "Try Again Later": the service is not ready yet.
TRY_AGAIN_LATER = 1013


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """The app behind a gate that has none of its own: every other path is 404."""
    if scope["type"] == "http":
        await send_response(send, NOT_FOUND)
    elif scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.close", "code": 1000})
    elif scope["type"] == "lifespan":
        while True:
            message = await receive()
            kind = message["type"].removeprefix("lifespan.")
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return


async def send_response(send: Send, response: Response) -> None:
    """Send one complete response."""
    # A fresh list each time: middleware outside the gate may add headers to it in place.
    headers = list(_encoded(response.headers))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


@functools.lru_cache(maxsize=256)
def _encoded(headers: Headers) -> tuple[tuple[bytes, bytes], ...]:
    # Most answers repeat (a probe's "ok", the 503 between two changes): encode them once.
    return tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers)


def asgi_request(scope: Scope, path: str) -> Request:
    """The `Request` of an `http` or `websocket` scope (`path` without the root_path)."""
    client = scope.get("client")
    return Request(
        method=scope.get("method", "GET"),
        path=path,
        query=scope.get("query_string", b"").decode("latin-1"),
        headers={k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
        client=client[0] if client else None,
        root_path=scope.get("root_path", ""),
        websocket=scope["type"] == "websocket",
    )


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    # Servers differ on whether `path` includes root_path; route on the part after it.
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path


class Gate:
    """Pure ASGI middleware: answers the health endpoints and holds back requests until ready.

    Takes the options of `GateOptions` (`paths`, `hold`, `exempt`, `dashboard`, `stream`,
    `stream_interval`, `keep_alive`; `BOOTGATE_*` environment variables fill in the ones not
    given) or a ready `config`, and `clock` (the source's by default). Before the source is
    ready, every other HTTP request gets 503 with `Retry-After` (the initializing page for
    browsers, JSON for everyone else), or first waits up to `hold` for readiness; WebSocket
    handshakes are closed with code 1013 (try again later). After ready, a request costs one
    path lookup and one flag check. Lifespan and anything else pass through untouched.
    """

    def __init__(
        self,
        app: ASGIApp,
        source: StatusSource,
        *,
        clock: Clock | None = None,
        config: GateConfig | None = None,
        **options: Unpack[GateOptions],
    ) -> None:
        config = resolve(config, options, also=("clock",))
        self.app = app
        self.keeper = Gatekeeper(source, config, clock)
        self.config = config
        self.source = source

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = _route_path(scope) if scope.get("root_path") else scope["path"]
        if self.config.passes(path, self.source.ready):  # every request's path once ready
            await self.app(scope, receive, send)
            return
        decision = await self.keeper.answer(asgi_request(scope, path))
        if isinstance(decision, Pass):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
        elif isinstance(decision, Stream):
            await self.keeper.stream(decision, receive, send)
        else:
            await send_response(send, decision)
