"""The gate: health endpoints plus a guard that keeps requests from the app until it is ready."""

from __future__ import annotations

from collections.abc import Iterable

from bootgate import Clock, SystemClock, parse_duration

from ._access import Access
from ._paths import Paths, Route
from ._responses import EVENT_STREAM, Request, Response, endpoint_response, gate_response
from ._source import StatusSource
from ._sse import closing, parse_last_event_id, stream_status
from ._types import ASGIApp, Receive, Scope, Send

#: Routes that exist only while the dashboard is switched on.
DASHBOARD_ROUTES = frozenset({Route.DASHBOARD, Route.DASHBOARD_SCRIPT})


def dashboard_access(dashboard: Access | bool) -> Access | None:
    """The access rule for a `dashboard=` option: False/None is off, True is loopback only."""
    if dashboard is True:
        return Access()
    if dashboard is False or dashboard is None:
        return None
    if not isinstance(dashboard, Access):
        raise TypeError(f"dashboard must be a bool or an Access, got {dashboard!r}")
    return dashboard


#: WebSocket close code 1013, "Try Again Later": the service is not ready yet.
TRY_AGAIN_LATER = 1013


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """The app behind a gate that has none of its own: every other path is 404."""
    if scope["type"] == "http":
        await send_response(send, Response.text(404, "not found\n"))
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
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if not any(name == b"content-length" for name, _ in headers):
        # A known length keeps the connection alive without chunked framing.
        headers.append((b"content-length", str(len(response.body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


def _request(scope: Scope) -> Request:
    accept = authorization = ""
    last_event_id = None
    for key, value in scope["headers"]:
        if key == b"accept":
            accept = value.decode("latin-1")
        elif key == b"last-event-id":
            last_event_id = value.decode("latin-1")
        elif key == b"authorization":
            authorization = value.decode("latin-1")
    client = scope.get("client")
    return Request(
        method=scope["method"],
        path=_route_path(scope),
        root_path=scope.get("root_path", ""),
        query=scope.get("query_string", b"").decode("latin-1"),
        accept=accept,
        last_event_id=last_event_id,
        client=client[0] if client else None,
        authorization=authorization,
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

    Before the source is ready, every other HTTP request gets 503 with `Retry-After`: the
    initializing page for browsers, JSON for everyone else; with `hold` seconds, a request
    first waits that long for readiness. WebSocket handshakes are refused with close code 1013
    (try again later) until ready. After ready, a request costs one path lookup and one flag
    check. Lifespan and anything else pass through untouched. Paths starting with one of
    `exempt` (e.g. "/static/") always reach the app. `dashboard=True` serves the dashboard
    to loopback clients; `dashboard=Access(token=...)` to token holders as well.
    """

    def __init__(
        self,
        app: ASGIApp,
        source: StatusSource,
        *,
        paths: Paths | None = None,
        hold: str | float = 0.0,
        exempt: Iterable[str] = (),
        clock: Clock | None = None,
        stream_interval: float = 0.1,
        keep_alive: float = 15.0,
        dashboard: Access | bool = False,
    ) -> None:
        if not isinstance(source, StatusSource):
            raise TypeError(f"source must have ready, status() and subscribe(), got {source!r}")
        self.app = app
        self.source = source
        self.paths = paths or Paths()
        self.hold = parse_duration(hold, what="hold")
        self.exempt = tuple(exempt)
        self.clock: Clock = clock or getattr(source, "clock", None) or SystemClock()
        self.stream_interval = stream_interval
        self.keep_alive = keep_alive
        self.dashboard = dashboard_access(dashboard)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        kind = scope["type"]
        if kind == "http":
            route = self.paths.route(
                _route_path(scope) if scope.get("root_path") else scope["path"]
            )
            if route is None:  # inlined _app_or_gate: this is every request's path
                if self.source.ready:  # the whole cost of the gate once the service is ready
                    await self.app(scope, receive, send)
                else:
                    await self._gate(scope, receive, send)
            elif route in DASHBOARD_ROUTES and self.dashboard is None:
                await self._app_or_gate(scope, receive, send)
            else:
                await self._endpoint(route, scope, receive, send)
        elif kind == "websocket" and not self.source.ready and not self._exempt(scope):
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
        else:
            await self.app(scope, receive, send)

    async def _app_or_gate(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.source.ready:
            await self.app(scope, receive, send)
        else:
            await self._gate(scope, receive, send)

    def _exempt(self, scope: Scope) -> bool:
        return bool(self.exempt) and _route_path(scope).startswith(self.exempt)

    async def _gate(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._exempt(scope):
            await self.app(scope, receive, send)
            return
        if self.hold > 0 and await self._held():
            await self.app(scope, receive, send)
            return
        await send_response(send, gate_response(_request(scope), self.source.status(), self.paths))

    async def _held(self) -> bool:
        """Wait up to `hold` seconds for readiness; True if the service became ready."""
        with self.clock.move_on_after(self.hold):
            async with closing(self.source.subscribe()) as snapshots:
                async for status in snapshots:
                    if status.ready or status.failed or status.stopping:
                        break  # ready, or it will not be: no point holding the request
        return self.source.ready

    async def _endpoint(self, route: Route, scope: Scope, receive: Receive, send: Send) -> None:
        request = _request(scope)
        streaming = route is Route.STREAM or (route is Route.STATUS and request.wants(EVENT_STREAM))
        if streaming and request.method == "GET":
            await stream_status(
                self.source,
                self.clock,
                receive,
                send,
                last_event_id=parse_last_event_id(request.last_event_id),
                interval=self.stream_interval,
                keep_alive=self.keep_alive,
            )
            return
        if route is Route.STREAM:
            route = Route.STATUS  # HEAD or a non-GET on the stream path: answer as /status
        response = endpoint_response(
            route,
            request,
            self.source.ready,
            self.source.status,
            paths=self.paths,
            dashboard=self.dashboard,
        )
        await send_response(send, response)
