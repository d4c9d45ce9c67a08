"""bootgate for aiohttp: `setup(app, boot)` runs the boot with the app and gates its requests.

```text
app = web.Application()
setup(app, boot)        # cleanup context + gate middleware + /livez /readyz /startupz /status
web.run_app(app)
```

The health endpoints, the gate and the status stream are bootgate's ASGI `Gate`, reached
through a small bridge, so aiohttp answers exactly what every other server answers. Once the
service is ready, the middleware costs one flag check per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from bootgate import Boot, Clock
from bootgate.http import Gate, Paths
from bootgate.http._paths import Route
from bootgate.http._types import Message, Receive, Scope, Send

__all__ = ["BOOT", "setup"]

#: Where `setup` keeps the boot on the application: `request.app[BOOT]`.
BOOT = web.AppKey("bootgate.boot", Boot)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_PASS = "bootgate.pass"  # set in the scope when the gate lets a request through


async def _let_through(scope: Scope, receive: Receive, send: Send) -> None:
    """The gate's "application": it only notes that the request may go on to aiohttp."""
    scope[_PASS] = True


class _Bridge:
    """Serves one aiohttp request with an ASGI app, as complete or streamed response."""

    def __init__(self, request: web.Request, stopping: asyncio.Event) -> None:
        self.request = request
        self.stopping = stopping
        self.response: web.StreamResponse | None = None
        self._start: Message | None = None
        self._requested = False

    def scope(self) -> Scope:
        request = self.request
        server = request.transport.get_extra_info("sockname") if request.transport else None
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": f"{request.version.major}.{request.version.minor}",
            "method": request.method,
            "scheme": request.scheme,
            "path": request.path,
            "raw_path": request.raw_path.encode("latin-1"),
            "root_path": "",
            "query_string": request.query_string.encode("latin-1"),
            "headers": [(k.lower(), v) for k, v in request.raw_headers],
            "client": (request.remote, 0),
            "server": tuple(server[:2]) if server else None,
        }

    async def receive(self) -> Message:
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        # The server shutting down ends a stream as a leaving client would: aiohttp waits for
        # open requests before it runs the cleanup that tears the boot down.
        await self.stopping.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            return
        body: bytes = message.get("body", b"")
        more: bool = message.get("more_body", False)
        if self.response is None:
            if self._start is None:  # pragma: no cover - the gate always starts first
                raise RuntimeError("response body before response start")
            headers = CIMultiDict(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in self._start["headers"]
            )
            status: int = self._start["status"]
            if not more:
                headers.pop("content-length", None)  # aiohttp computes it (HEAD included)
                self.response = web.Response(status=status, headers=headers, body=body)
                return
            self.response = web.StreamResponse(status=status, headers=headers)
            await self.response.prepare(self.request)
        if body:
            await self.response.write(body)
        if not more:
            await self.response.write_eof()


class _Setup:
    """What `setup` attaches to one application."""

    def __init__(self, boot: Boot, gate: Gate) -> None:
        self.boot = boot
        self.gate = gate
        self.stopping = asyncio.Event()

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """Answer a request with the gate: an endpoint, the 503, or (None) let it through."""
        bridge = _Bridge(request, self.stopping)
        scope = bridge.scope()
        try:
            await self.gate(scope, bridge.receive, bridge.send)
        except* ConnectionResetError:
            pass  # the client left in the middle of the status stream
        if bridge.response is None:
            raise web.HTTPNotFound()  # pragma: no cover - the gate answers every endpoint
        return bridge.response

    async def endpoint(self, request: web.Request) -> web.StreamResponse:
        """The handler of every health route."""
        return await self.serve(request)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The gate: requests go on once ready (one flag check); before, the gate decides."""
        if self.boot.ready or self.gate.paths.route(request.path) is not None:
            return await handler(request)
        bridge = _Bridge(request, self.stopping)
        scope = bridge.scope()
        await self.gate(scope, bridge.receive, bridge.send)
        if scope.get(_PASS) or bridge.response is None:
            return await handler(request)  # exempt, or ready within the hold time
        return bridge.response

    async def on_shutdown(self, app: web.Application) -> None:
        """Readiness drops first, and open status streams end so in-flight requests can."""
        self.boot.mark_stopping()
        self.stopping.set()

    async def context(self, app: web.Application) -> AsyncIterator[None]:
        """Cleanup context: start the boot without waiting; tear it down at cleanup."""
        stop = asyncio.Event()
        entered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # The boot runs in a task of its own: its cancel scopes must open and close in one task.
        task = asyncio.create_task(self._run(stop, entered), name=f"bootgate {self.boot.name}")
        await asyncio.wait([task, entered], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            await task  # failed before it was running (a graph error): fail the startup
        try:
            yield
        finally:
            self.boot.mark_stopping()
            stop.set()
            await task

    async def _run(self, stop: asyncio.Event, entered: asyncio.Future[None]) -> None:
        async with self.boot.running(wait=False):
            entered.set_result(None)
            await stop.wait()
            self.boot.mark_stopping()


def setup(
    app: web.Application,
    boot: Boot,
    *,
    paths: Paths | None = None,
    hold: str | float = 0.0,
    exempt: Iterable[str] = (),
    clock: Clock | None = None,
    **options: Any,
) -> None:
    """Run `boot` with `app`, serve bootgate's endpoints, and gate requests until ready.

    The boot starts (without waiting) in a cleanup context and is torn down at cleanup; at
    shutdown readiness drops first. Every request outside the health endpoints gets the gate's
    503 + Retry-After (page or JSON) until the boot is ready, or waits up to `hold` for it.
    Paths starting with one of `exempt` always reach the app. Call before the app starts.
    """
    if BOOT in app:
        raise ValueError("bootgate is already set up on this application")
    gate = Gate(_let_through, boot, paths=paths, hold=hold, exempt=exempt, clock=clock, **options)
    state = _Setup(boot, gate)
    app[BOOT] = boot
    for route in Route:
        app.router.add_route("*", gate.paths.url(route), state.endpoint)
    app.middlewares.append(state.middleware)
    app.on_shutdown.append(state.on_shutdown)
    app.cleanup_ctx.append(state.context)
