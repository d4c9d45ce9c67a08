"""The same endpoints and gate for WSGI applications (Flask, Django), in threads.

A WSGI server has no event loop and no lifespan, so the boot runs on an anyio event loop in a
background thread of its own (a blocking portal). A follower task there copies each snapshot
into a `_Mirror`; request threads read the boot's O(1) ready flag and the mirrored snapshot and
never touch the engine's state while it changes. The status stream works too: a generator per
client, which occupies one server thread for as long as the client keeps the page open.
"""

from __future__ import annotations

import atexit
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import anyio.from_thread

from bootgate import Boot, Status, parse_duration

from ._access import Access
from ._gate import DASHBOARD_ROUTES, dashboard_access
from ._paths import Paths, Route
from ._responses import EVENT_STREAM, Request, Response, endpoint_response, gate_response
from ._signals import stop_on_signals
from ._sse import KEEP_ALIVE, PREAMBLE, encode_event, parse_last_event_id
from ._types import Environ, StartResponse, WSGIApp

_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class _Mirror:
    """The latest snapshot, handed from the loop thread to request threads."""

    def __init__(self, first: Status) -> None:
        self.latest = first
        self.ended = False
        self._changed = threading.Condition()

    async def follow(self, boot: Boot) -> None:
        """Copy every snapshot of `boot` (runs on the loop thread)."""
        async for status in boot.subscribe():
            with self._changed:
                self.latest = status
                self._changed.notify_all()
        with self._changed:
            self.ended = True
            self._changed.notify_all()

    def wait(self, until: Callable[[Status], bool], timeout: float) -> Status:
        """Block until `until(latest)` holds, the run ends, or `timeout` seconds pass."""
        with self._changed:
            self._changed.wait_for(lambda: self.ended or until(self.latest), timeout)
            return self.latest


def _status_line(code: int) -> str:
    return f"{code} {_REASONS.get(code, '')}".rstrip()


def _request(environ: Environ) -> Request:
    return Request(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", "") or "/",
        root_path=environ.get("SCRIPT_NAME", ""),
        query=environ.get("QUERY_STRING", ""),
        accept=environ.get("HTTP_ACCEPT", ""),
        last_event_id=environ.get("HTTP_LAST_EVENT_ID"),
        client=environ.get("REMOTE_ADDR"),
        authorization=environ.get("HTTP_AUTHORIZATION", ""),
    )


class WsgiGate:
    """WSGI middleware: bootgate's endpoints and gate in front of `app`, running `boot`.

    `start()` runs the boot on a background event loop (without waiting for readiness);
    `close()` drops readiness, tears the boot down in reverse order and stops the loop.
    `hold` and `stream_interval` are in real seconds: WSGI servers have no other clock.
    """

    def __init__(
        self,
        app: WSGIApp | None,
        boot: Boot,
        *,
        paths: Paths | None = None,
        hold: str | float = 0.0,
        exempt: Iterable[str] = (),
        stream: bool = True,
        stream_interval: float = 0.1,
        keep_alive: float = 15.0,
        dashboard: Access | bool = False,
    ) -> None:
        self.app = app or _not_found
        self.boot = boot
        self.paths = paths or Paths()
        self.hold = parse_duration(hold, what="hold")
        self.exempt = tuple(exempt)
        self.stream = stream
        self.stream_interval = stream_interval
        self.keep_alive = keep_alive
        self.dashboard = dashboard_access(dashboard)
        self._mirror = _Mirror(boot.status())
        self._portal_cm: AbstractContextManager[anyio.from_thread.BlockingPortal] | None = None
        self._portal: anyio.from_thread.BlockingPortal | None = None
        self._running: AbstractContextManager[Status] | None = None
        self._signals: AbstractContextManager[None] | None = None
        self._lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------

    def start(self, *, backend: str = "asyncio") -> None:
        """Start the boot on a background event loop; returns at once (idempotent)."""
        with self._lock:
            if self._portal is not None:
                return
            self._portal_cm = anyio.from_thread.start_blocking_portal(backend)
            portal = self._portal = self._portal_cm.__enter__()
            self._running = portal.wrap_async_context_manager(self.boot.running(wait=False))
            self._running.__enter__()
            portal.start_task_soon(self._mirror.follow, self.boot)
            # SIGTERM in a worker: readiness drops before the server drains its requests.
            self._signals = stop_on_signals(self.boot, functools.partial(_soon, portal))
            self._signals.__enter__()

    def close(self) -> None:
        """Drop readiness, tear the boot down in reverse order, stop the loop (idempotent)."""
        with self._lock:
            portal, running, portal_cm = self._portal, self._running, self._portal_cm
            self._portal = self._running = self._portal_cm = None
            signals, self._signals = self._signals, None
        if portal is None or running is None or portal_cm is None:
            return
        if signals is not None:
            signals.__exit__(None, None, None)
        try:
            portal.call(self.boot.mark_stopping)
            running.__exit__(None, None, None)
        finally:
            portal_cm.__exit__(None, None, None)

    def wait_ready(self, timeout: float) -> bool:
        """Block up to `timeout` seconds for readiness (handy in scripts and tests)."""
        self._mirror.wait(lambda s: s.ready or s.failed, timeout)
        return self.boot.ready

    def status(self) -> Status:
        """The latest snapshot, as request threads see it."""
        return self._mirror.latest

    # -- requests -----------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one WSGI request."""
        route = self.paths.route(environ.get("PATH_INFO", "") or "/")
        if route in DASHBOARD_ROUTES and self.dashboard is None:
            route = None
        if route is None:
            if self.boot.ready:  # the whole cost of the gate once the service is ready
                return self.app(environ, start_response)
            return self._gate(environ, start_response)
        request = _request(environ)
        streaming = route is Route.STREAM or (route is Route.STATUS and request.wants(EVENT_STREAM))
        if streaming and request.method == "GET":
            if not self.stream:
                return _send(start_response, Response.text(404, "streaming needs ASGI here\n"))
            start_response(
                "200 OK",
                [
                    ("Content-Type", "text/event-stream; charset=utf-8"),
                    ("Cache-Control", "no-store"),
                    ("X-Accel-Buffering", "no"),
                ],
            )
            return self._events(parse_last_event_id(request.last_event_id))
        if route is Route.STREAM:
            route = Route.STATUS
        response = endpoint_response(
            route, request, self.boot.ready, self.status, paths=self.paths, dashboard=self.dashboard
        )
        return _send(start_response, response)

    def _gate(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if self.exempt and path.startswith(self.exempt):
            return self.app(environ, start_response)
        if self.hold > 0:
            self._mirror.wait(lambda s: s.ready or s.failed, self.hold)
            if self.boot.ready:
                return self.app(environ, start_response)
        response = gate_response(_request(environ), self._mirror.latest, self.paths)
        return _send(start_response, response)

    def _events(self, sent: int | None) -> Iterator[bytes]:
        yield PREAMBLE
        mirror = self._mirror
        while True:
            status = mirror.wait(functools.partial(_newer, seen=sent), self.keep_alive)
            if status.seq != sent:
                sent = status.seq
                yield encode_event(status)
                if status.stopping:
                    return  # shutting down: the server should not wait for this stream
                if self.stream_interval > 0:
                    time.sleep(self.stream_interval)  # coalesce: at most one event per interval
            elif mirror.ended:
                return
            else:
                yield KEEP_ALIVE


def _soon(portal: anyio.from_thread.BlockingPortal, fn: Callable[[], object]) -> None:
    # From a signal handler on another thread: hand `fn` to the loop without waiting for it.
    portal.start_task_soon(_call, fn)


async def _call(fn: Callable[[], object]) -> None:
    fn()


def _newer(status: Status, *, seen: int | None) -> bool:
    return status.seq != seen


def _send(start_response: StartResponse, response: Response) -> list[bytes]:
    headers = list(response.headers)
    if not any(name == "content-length" for name, _ in headers):
        headers.append(("content-length", str(len(response.body))))
    start_response(_status_line(response.status), headers)
    return [response.body]


def _not_found(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    return _send(start_response, Response.text(404, "not found\n"))


def wsgi(boot: Boot, app: WSGIApp | None = None, **options: Any) -> WsgiGate:
    """Wrap a WSGI app with bootgate's endpoints and gate, and start `boot` in the background.

    The boot is torn down at interpreter exit, or earlier with `.close()` (e.g. from the
    server's worker-exit hook). Create it in each worker process, after any fork.
    """
    gate = WsgiGate(app, boot, **options)
    gate.start()
    atexit.register(gate.close)
    return gate
