"""The WSGI adapter: the same endpoints and gate for threaded apps, the boot on its own loop."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest

from bootgate import Boot, Ready, StepContext
from bootgate.http import Stream, WsgiGate, wsgi

from .helpers import parse_events


class Started:
    """What a WSGI start_response call received."""

    status = ""
    headers: dict[str, str]

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}


def environ(
    path: str, query: str = "", accept: str = "", method: str = "GET", client: str = "127.0.0.1"
) -> dict[str, Any]:
    """A WSGI environ for one request (from a loopback client unless told otherwise)."""
    return {
        "REMOTE_ADDR": client,
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "HTTP_ACCEPT": accept,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "wsgi.url_scheme": "http",
    }


def get(app: WsgiGate, path: str, **kw: str) -> tuple[int, dict[str, str], bytes]:
    """Call the WSGI app and return (status code, headers, body)."""
    started = Started()
    body = b"".join(app(environ(path, **kw), started))
    return int(started.status.split()[0]), started.headers, body


def flask_like(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The application behind the gate."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"app {environ['PATH_INFO']}".encode()]


class Service:
    """A boot whose sync migration step waits (in its worker thread) for the test's go."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.log: list[str] = []
        self.boot = Boot("shop", hooks=[])

        async def db() -> Ready:
            return Ready()

        dep = self.boot.dependency("db", db, recheck=None)

        @self.boot.step(requires=[dep])
        def migrations(ctx: StepContext) -> None:
            ctx.progress(1, 2, "0001_initial")
            if not self.go.wait(10):
                raise TimeoutError("the test never said go")

        @self.boot.step(requires=[migrations])
        def pool() -> Iterator[str]:
            yield "pool"
            self.log.append("pool closed")


@pytest.fixture
def service() -> Iterator[Service]:
    """A service whose WSGI gates are closed after the test."""
    svc = Service()
    yield svc
    svc.go.set()


def test_endpoints_and_gate_before_and_after_ready(service: Service) -> None:
    """Before ready: readyz 503, gate 503 with Retry-After; after: the app; close tears down."""
    gate = wsgi(service.boot, flask_like)
    try:
        gate._mirror.wait(lambda s: s.nodes["migrations"].progress is not None, 10)
        assert get(gate, "/livez")[0] == 200
        code, _, body = get(gate, "/readyz")
        assert code == 503
        assert b"[-]migrations starting: running 1/2 0001_initial" in body
        code, headers, body = get(gate, "/orders", accept="application/json")
        assert (code, headers["retry-after"]) == (503, "1")
        assert json.loads(body)["status"] == "starting"
        code, headers, body = get(gate, "/orders", accept="text/html")
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert b"shop" in body
        code, headers, body = get(gate, "/status")
        assert headers["content-type"] == "application/health+json"
        assert json.loads(body)["bootgate"]["nodes"]["db"]["phase"] == "ready"
        assert get(gate, "/_bootgate/page.js")[0] == 200
        assert get(gate, "/status", method="HEAD")[2] == b""
        service.go.set()
        assert gate.wait_ready(10)
        assert get(gate, "/orders") == (200, {"content-type": "text/plain"}, b"app /orders")
        assert get(gate, "/readyz")[2] == b"ok"
    finally:
        gate.close()
    assert service.log == ["pool closed"]
    assert not service.boot.ready
    gate.close()  # a second close is harmless


def test_hold_waits_in_the_request_thread(service: Service) -> None:
    """hold: a request made while starting is answered by the app once ready."""
    gate = wsgi(service.boot, flask_like, hold="10s")
    try:
        result: list[Any] = []
        thread = threading.Thread(target=lambda: result.append(get(gate, "/orders")))
        thread.start()
        gate._mirror.wait(lambda s: s.nodes["migrations"].progress is not None, 10)
        service.go.set()
        thread.join(10)
        assert result[0][0] == 200
    finally:
        gate.close()


def test_stream_over_wsgi_follows_to_the_end(service: Service) -> None:
    """The WSGI stream yields the snapshot, each change, and ends when the boot stops."""
    gate = WsgiGate(flask_like, service.boot, stream_interval=0)
    gate.start()
    try:
        started = Started()
        chunks = iter(gate(environ("/status/stream"), started))
        assert started.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert next(chunks) == b"retry: 1000\n\n"
        first = parse_events(next(chunks))[0]
        assert first["event"] == "status"
        service.go.set()
        assert gate.wait_ready(10)
        seen = [first]
        while not json.loads(seen[-1]["data"])["bootgate"]["ready"]:
            seen.extend(parse_events(next(chunks)))
        assert [int(e["id"]) for e in seen] == sorted({int(e["id"]) for e in seen})
    finally:
        gate.close()
    rest = list(chunks)  # the stream ends once the run has shut down
    assert json.loads(parse_events(rest[-1])[-1]["data"])["bootgate"]["stopping"] is True


def test_keep_alive_and_streaming_switched_off(service: Service) -> None:
    """An idle WSGI stream sends the keep-alive comment; stream=False answers 404 instead."""
    gate = WsgiGate(flask_like, service.boot, keep_alive=0.01, stream_interval=0)
    gate.start()
    try:
        gate._mirror.wait(lambda s: s.nodes["migrations"].progress is not None, 10)
        chunks = iter(gate(environ("/status/stream"), Started()))
        assert next(chunks) == b"retry: 1000\n\n"
        assert next(chunks).startswith(b"id: ")
        assert next(chunks) == b": keep-alive\n\n"  # nothing changes while migrations wait
    finally:
        service.go.set()  # shutdown waits for the migration's thread, which cannot be stopped
        gate.close()
    quiet = WsgiGate(flask_like, Service().boot, stream=False)
    assert get(quiet, "/status/stream")[0] == 404


class _Threaded(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


def test_real_wsgi_server(service: Service) -> None:
    """Through a real threaded WSGI server on a spare loopback port."""
    gate = wsgi(service.boot, flask_like)
    server = make_server("127.0.0.1", 0, gate, server_class=_Threaded, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/readyz").status_code == 503
            reply = client.get("/orders", headers={"accept": "application/json"})
            assert reply.status_code == 503
            assert reply.headers["retry-after"] == "1"
            service.go.set()
            assert gate.wait_ready(10)
            assert client.get("/orders").text == "app /orders"
            assert client.get("/readyz").text == "ok"
    finally:
        server.shutdown()
        server.server_close()
        gate.close()


def test_dashboard_over_wsgi_follows_the_access_rule() -> None:
    """dashboard=True over WSGI: loopback REMOTE_ADDR sees it, another address gets 403."""
    gate = WsgiGate(flask_like, Boot("svc", hooks=[]), dashboard=True)
    local = {**environ("/bootgate"), "REMOTE_ADDR": "127.0.0.1"}
    remote = {**environ("/bootgate"), "REMOTE_ADDR": "198.51.100.7"}
    for env, code in ((local, "200"), (remote, "403")):
        started = Started()
        b"".join(gate(env, started))
        assert started.status.startswith(code)
    assert get(WsgiGate(flask_like, Boot("svc", hooks=[])), "/bootgate")[0] == 503


def test_sigterm_in_a_worker_drops_readiness_and_ends_streams(service: Service) -> None:
    """With the server's SIGTERM handler in place: readiness drops, the open stream ends."""
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, frame: received.append(number))
    gate = WsgiGate(flask_like, service.boot, stream_interval=0)
    try:
        gate.start()
        service.go.set()
        assert gate.wait_ready(10)
        chunks = iter(gate(environ("/status/stream"), Started()))
        next(chunks)
        signal.raise_signal(signal.SIGTERM)
        assert received == [signal.SIGTERM]
        rest = list(chunks)  # ends by itself at the stopping snapshot, long before the run ends
        last = json.loads(parse_events(rest[-1])[-1]["data"])["bootgate"]
        assert last["stopping"] is True
        assert not service.boot.ready
    finally:
        gate.close()
        signal.signal(signal.SIGTERM, previous)


def test_without_an_app_other_paths_are_404(service: Service) -> None:
    """wsgi(boot) alone serves the endpoints; once ready, every other path answers 404."""
    gate = wsgi(service.boot)
    try:
        service.go.set()
        assert gate.wait_ready(10)
        assert get(gate, "/readyz")[0] == 200
        assert get(gate, "/orders")[0] == 404
    finally:
        gate.close()


def test_the_wsgi_stream_ticks_until_the_eta_has_passed(service: Service) -> None:
    """Over WSGI too, a stalled step's snapshot is sent again each second, read later: its
    ETA of about 0.2 s turns into "overdue" with no change in the service."""

    @service.boot.step(requires=["db"], optional=True)
    def slow(ctx: StepContext) -> None:
        time.sleep(0.2)  # real time: WSGI streams run on the real clock
        ctx.progress(1, 2, "half")  # ETA 0.2 s from here
        service.go.wait(10)

    gate = wsgi(service.boot, flask_like, stream_interval=0)
    try:
        gate._mirror.wait(lambda s: s.nodes["slow"].progress is not None, 10)
        events = gate.events(Stream())
        details: list[str] = []
        deadline = time.monotonic() + 10
        for chunk in events:  # bounded: ends on "overdue" or after 10 s
            for event in parse_events(chunk):
                if event.get("event") == "status":
                    details.append(json.loads(event["data"])["bootgate"]["nodes"]["slow"]["detail"])
            if (details and "overdue by" in details[-1]) or time.monotonic() > deadline:
                break
        assert isinstance(events, Generator)
        events.close()
        assert "ETA" in details[0]
        assert "overdue by" in details[-1]
    finally:
        service.go.set()
        gate.close()
