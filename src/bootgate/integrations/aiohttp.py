"""aiohttp: the same endpoints, status stream, gate and pages for an `aiohttp.web` application.

    from bootgate.integrations.aiohttp import setup

    app = web.Application()
    setup(app, boot, hold="2s")          # before the app starts
    web.run_app(app)

The boot runs from the application's cleanup context: it starts (without waiting) when the app
starts, so the endpoints answer during startup. At shutdown readiness drops first (on_shutdown)
and open status streams end, the server finishes its requests, then the boot tears down in
reverse order. A middleware answers the endpoints and gates every other request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Unpack

import anyio
from aiohttp import web

from bootgate import Boot
from bootgate.http import GateConfig, Gatekeeper, GateOptions, Message, Pass, Request, Stream

__all__ = ["setup"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _request(request: web.Request) -> Request:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return Request(
        method=request.method,
        path=request.path,
        query=request.query_string,
        headers={key.lower(): value for key, value in request.headers.items()},
        client=peer[0] if isinstance(peer, tuple) else None,
    )


class _Middleware:
    """Translates between aiohttp and the gate's decision; ends open streams at shutdown."""

    def __init__(self, keeper: Gatekeeper) -> None:
        self.keeper = keeper
        self.closing: anyio.Event | None = None
        """Set at shutdown: open streams end, so the server need not wait them out."""

    @web.middleware
    async def handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer the endpoints, pass ready traffic on, and gate the rest."""
        if self.keeper.passes(request.path):  # every request's path once ready
            return await handler(request)
        decision = await self.keeper.answer(_request(request))
        if isinstance(decision, Pass):
            return await handler(request)
        if isinstance(decision, Stream):
            return await self._stream(request, decision)
        # aiohttp sets the length itself (and keeps it for HEAD).
        headers = {k: v for k, v in decision.headers if k != "content-length"}
        return web.Response(status=decision.status, headers=headers, body=decision.body)

    async def _stream(self, request: web.Request, stream: Stream) -> web.StreamResponse:
        # The ASGI stream, spoken through aiohttp: a departed client shows as a failed write.
        response = web.StreamResponse(status=stream.status, headers=dict(stream.headers))

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                await response.prepare(request)
                return
            if message.get("body"):
                await response.write(message["body"])
            if not message.get("more_body", False):
                await response.write_eof()

        async def receive() -> Message:
            # aiohttp does not say when a client leaves (a failed write does, at the latest at
            # the next keep-alive); shutdown ends every stream at once.
            if self.closing is None:  # pragma: no cover - set while the app runs
                await anyio.sleep_forever()
            else:
                await self.closing.wait()
            return {"type": "http.disconnect"}

        try:
            await self.keeper.stream(stream, receive, send)
        except* ConnectionResetError:
            pass  # the client left
        return response


def setup(app: web.Application, boot: Boot, **options: Unpack[GateOptions]) -> None:
    """Run `boot` with `app` and put bootgate's endpoints and gate in front of its handlers.

    Options are `bootgate.http.GateOptions` (as for `asgi()`; `BOOTGATE_*` environment
    variables fill in the ones not given). Call it before the application starts.
    """
    middleware = _Middleware(Gatekeeper(boot, GateConfig.from_options(options), boot.clock))

    async def run(app: web.Application) -> AsyncIterator[None]:
        middleware.closing = anyio.Event()
        async with boot.running(wait=False):
            yield
        # Leaving running() tore the boot down, after the server finished its requests.

    async def shutdown(app: web.Application) -> None:
        # on_shutdown comes before the server waits for in-flight requests: readiness drops
        # first, streams end, requests finish, then the cleanup context tears the boot down.
        boot.mark_stopping()
        if middleware.closing is not None:
            middleware.closing.set()

    app.cleanup_ctx.append(run)
    app.on_shutdown.append(shutdown)
    app.middlewares.append(middleware.handle)
