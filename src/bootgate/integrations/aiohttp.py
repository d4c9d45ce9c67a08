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

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

import anyio
from aiohttp import web

from bootgate import Boot, parse_duration
from bootgate.http import Access, Paths
from bootgate.http._gate import DASHBOARD_ROUTES, dashboard_access
from bootgate.http._paths import Route
from bootgate.http._responses import (
    EVENT_STREAM,
    Request,
    Response,
    endpoint_response,
    gate_response,
)
from bootgate.http._sse import closing, parse_last_event_id, stream_status
from bootgate.http._types import Message

__all__ = ["setup"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _request(request: web.Request) -> Request:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return Request(
        method=request.method,
        path=request.path,
        root_path="",
        query=request.query_string,
        accept=request.headers.get("Accept", ""),
        last_event_id=request.headers.get("Last-Event-ID"),
        client=peer[0] if isinstance(peer, tuple) else None,
        authorization=request.headers.get("Authorization", ""),
    )


def _response(response: Response) -> web.Response:
    headers = {k: v for k, v in response.headers if k != "content-length"}
    return web.Response(status=response.status, headers=headers, body=response.body)


class _Gate:
    """The middleware's state: which boot, which paths, which options."""

    def __init__(
        self,
        boot: Boot,
        paths: Paths,
        hold: float,
        exempt: tuple[str, ...],
        dashboard: Access | None,
        stream_interval: float,
        keep_alive: float,
    ) -> None:
        self.boot = boot
        self.paths = paths
        self.hold = hold
        self.exempt = exempt
        self.dashboard = dashboard
        self.stream_interval = stream_interval
        self.keep_alive = keep_alive
        self.closing: anyio.Event | None = None
        """Set at shutdown: open streams end, so the server need not wait them out."""

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer the endpoints, pass ready traffic on, and gate the rest."""
        route = self.paths.route(request.path)
        if route in DASHBOARD_ROUTES and self.dashboard is None:
            route = None
        if route is None:
            if self.boot.ready or (self.exempt and request.path.startswith(self.exempt)):
                return await handler(request)
            if self.hold > 0 and await self._held():
                return await handler(request)
            return _response(gate_response(_request(request), self.boot.status(), self.paths))
        info = _request(request)
        streaming = route is Route.STREAM or (route is Route.STATUS and info.wants(EVENT_STREAM))
        if streaming and request.method == "GET":
            return await self._stream(request, info)
        if route is Route.STREAM:
            route = Route.STATUS
        return _response(
            endpoint_response(
                route,
                info,
                self.boot.ready,
                self.boot.status,
                paths=self.paths,
                dashboard=self.dashboard,
            )
        )

    async def _held(self) -> bool:
        with self.boot.clock.move_on_after(self.hold):
            async with closing(self.boot.subscribe()) as snapshots:
                async for status in snapshots:
                    if status.ready or status.failed or status.stopping:
                        break
        return self.boot.ready

    async def _stream(self, request: web.Request, info: Request) -> web.StreamResponse:
        # The ASGI stream, spoken through aiohttp: a departed client shows as a failed write.
        response = web.StreamResponse()

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                response.set_status(message["status"])
                for key, value in message["headers"]:
                    response.headers[key.decode()] = value.decode()
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
            await stream_status(
                self.boot,
                self.boot.clock,
                receive,
                send,
                last_event_id=parse_last_event_id(info.last_event_id),
                interval=self.stream_interval,
                keep_alive=self.keep_alive,
            )
        except* ConnectionResetError:
            pass  # the client left
        return response


def setup(
    app: web.Application,
    boot: Boot,
    *,
    paths: Paths | None = None,
    hold: str | float = 0.0,
    exempt: Iterable[str] = (),
    dashboard: Access | bool = False,
    stream_interval: float = 0.1,
    keep_alive: float = 15.0,
) -> None:
    """Run `boot` with `app` and put bootgate's endpoints and gate in front of its handlers.

    Options are those of `bootgate.http.Gate`. Call it before the application starts.
    """
    gate = _Gate(
        boot,
        paths or Paths(),
        parse_duration(hold, what="hold"),
        tuple(exempt),
        dashboard_access(dashboard),
        stream_interval,
        keep_alive,
    )

    async def run(app: web.Application) -> AsyncIterator[None]:
        gate.closing = anyio.Event()
        async with boot.running(wait=False):
            yield
        # Leaving running() tore the boot down, after the server finished its requests.

    async def shutdown(app: web.Application) -> None:
        # on_shutdown comes before the server waits for in-flight requests: readiness drops
        # first, streams end, requests finish, then the cleanup context tears the boot down.
        boot.mark_stopping()
        if gate.closing is not None:
            gate.closing.set()

    app.cleanup_ctx.append(run)
    app.on_shutdown.append(shutdown)
    app.middlewares.append(gate.middleware)
