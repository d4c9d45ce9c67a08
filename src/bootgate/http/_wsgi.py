"""The same endpoints and gate for WSGI applications (Flask, Django), in threads.

A WSGI server has no event loop and no lifespan, so the boot runs on an anyio event loop in a
background thread of its own (a blocking portal), and request threads read what a `Mirror`
hands them. The status stream works too: a generator per client, which occupies one server
thread for as long as the client keeps the page open.
"""

from __future__ import annotations

import atexit
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from http import HTTPStatus
from typing import Unpack

import anyio.from_thread

from bootgate import Boot, Status

from ._config import GateConfig, GateOptions, resolve
from ._decision import Decision, Hold, Pass, Stream, after_hold, decide, settled
from ._mirror import Mirror
from ._request import Request
from ._responses import NOT_FOUND, Response
from ._signals import stop_on_signals
from ._source import present
from ._sse import KEEP_ALIVE, PREAMBLE, encode_event, reading
from ._types import Environ, StartResponse, WSGIApp


def wsgi_request(environ: Environ) -> Request:
    """The `Request` of a WSGI environ (Django's `request.META` is one too)."""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    return Request(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", "") or "/",
        query=environ.get("QUERY_STRING", ""),
        headers=headers,
        client=environ.get("REMOTE_ADDR"),
        root_path=environ.get("SCRIPT_NAME", ""),
    )


class WsgiGate:
    """WSGI middleware: bootgate's endpoints and gate in front of `app`, running `boot`.

    Takes the options of `GateOptions` (`BOOTGATE_*` environment variables fill in the ones
    not given) or a ready `config`. `start()` runs the boot on a background event loop
    (without waiting for readiness); `close()` drops readiness, tears the boot down in reverse
    order and stops the loop. `hold` and `stream_interval` are in real seconds: WSGI servers
    have no other clock.
    """

    def __init__(
        self,
        app: WSGIApp | None,
        boot: Boot,
        *,
        config: GateConfig | None = None,
        **options: Unpack[GateOptions],
    ) -> None:
        self.config = resolve(config, options)
        self.app = app or _not_found
        self.boot = boot
        self._mirror = Mirror(boot.status())
        self._current = present(boot, self._mirror.get)
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
        self._mirror.wait(settled, timeout)
        return self.boot.ready

    def status(self) -> Status:
        """The latest snapshot, as request threads see it."""
        return self._mirror.latest

    # -- decisions, for this adapter and for frameworks built on it (Django) -----------------

    def passes(self, path: str) -> bool:
        """True when a request for `path` goes straight to the app (the check after ready)."""
        return self.config.passes(path, self.boot.ready)

    def decide(self, request: Request) -> Decision:
        """The gate's decision for `request` now, without waiting (it may be a `Hold`)."""
        return decide(request, self.boot.ready, self._current, self.config)

    def answer(self, request: Request) -> Pass | Response | Stream:
        """The decision for `request`, after holding it (blocking this thread) if need be."""
        decision = self.decide(request)
        if not isinstance(decision, Hold):
            return decision
        self._mirror.wait(settled, decision.seconds)
        return after_hold(request, self.boot.ready, self._current, self.config)

    def events(self, stream: Stream) -> Iterator[bytes]:
        """The status stream's body, chunk by chunk, until shutdown begins or the run ends."""
        yield PREAMBLE
        mirror = self._mirror
        sent = stream.last_event_id
        interval, keep_alive = self.config.stream_interval, self.config.keep_alive
        clock = self.boot.clock
        tick: float | None = None
        while True:
            wait = keep_alive if tick is None else min(tick, keep_alive)
            status = mirror.wait(functools.partial(_newer, seen=sent), wait)
            if status.seq != sent:
                sent = status.seq
                current, tick = reading(status, clock.now())
                yield encode_event(current)
                if status.stopping:
                    return  # shutting down: the server should not wait for this stream
                if interval > 0:
                    time.sleep(interval)  # coalesce: at most one event per interval
            elif mirror.ended:
                return
            elif tick is not None and tick <= keep_alive:
                current, tick = reading(status, clock.now())
                yield encode_event(current)  # the same snapshot, one second further on
            else:
                yield KEEP_ALIVE

    # -- the WSGI adapter ---------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one WSGI request."""
        if self.passes(environ.get("PATH_INFO", "") or "/"):  # every request once ready
            return self.app(environ, start_response)
        decision = self.answer(wsgi_request(environ))
        if isinstance(decision, Pass):
            return self.app(environ, start_response)
        if isinstance(decision, Stream):
            start_response(_status_line(decision.status), list(decision.headers))
            return self.events(decision)
        return _send(start_response, decision)


def _status_line(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:  # a code the standard library has no phrase for
        return str(code)


def _soon(portal: anyio.from_thread.BlockingPortal, fn: Callable[[], object]) -> None:
    # From a signal handler on another thread: hand `fn` to the loop without waiting for it.
    portal.start_task_soon(_call, fn)


async def _call(fn: Callable[[], object]) -> None:
    fn()


def _newer(status: Status, *, seen: int | None) -> bool:
    return status.seq != seen


def _send(start_response: StartResponse, response: Response) -> list[bytes]:
    start_response(_status_line(response.status), list(response.headers))
    return [response.body]


def _not_found(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    return _send(start_response, NOT_FOUND)


def wsgi(boot: Boot, app: WSGIApp | None = None, **options: Unpack[GateOptions]) -> WsgiGate:
    """Wrap a WSGI app with bootgate's endpoints and gate, and start `boot` in the background.

    Options are `GateOptions` (as `WsgiGate`'s). The boot is torn down at interpreter exit, or
    earlier with `.close()` (e.g. from the server's worker-exit hook). Create it in each worker
    process, after any fork.
    """
    gate = WsgiGate(app, boot, **options)
    gate.start()
    atexit.register(gate.close)
    return gate
