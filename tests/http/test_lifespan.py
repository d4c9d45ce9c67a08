"""`asgi(boot, app)`: the server's lifespan runs the boot, relays to the app, tears down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from bootgate import Boot, FakeClock
from bootgate.http import asgi
from bootgate.http._types import Message, Scope

from .helpers import Service, call

pytestmark = pytest.mark.anyio


class Server:
    """The server side of one lifespan connection."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self._inbox, self._outbox = anyio.create_memory_object_stream[Message](4)
        self.answered = anyio.Event()

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def receive(self) -> Message:
        """What the app asks the server for: the next lifespan message."""
        return await self._outbox.receive()

    def close(self) -> None:
        """Close both ends of the message channel."""
        self._inbox.close()
        self._outbox.close()

    async def send(self, message: Message) -> None:
        """Keep what the app answers."""
        self.sent.append(message)
        self.answered.set()

    async def say(self, kind: str) -> Message:
        """Send lifespan.<kind> and wait for the app's answer."""
        self.answered = anyio.Event()
        await self._inbox.send({"type": f"lifespan.{kind}"})
        with anyio.fail_after(5):
            await self.answered.wait()
        return self.sent[-1]


def lifespan_scope() -> Scope:
    """A lifespan scope as a server builds it."""
    return {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}


class LifespanApp:
    """An app with its own lifespan, recording what happened when."""

    def __init__(self, log: list[str], fail: str | None = None) -> None:
        self.log = log
        self.fail = fail

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].removeprefix("lifespan.")
                self.log.append(f"app {kind}")
                if kind == self.fail:
                    await send({"type": f"lifespan.{kind}.failed", "message": "app says no"})
                    return
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})


async def test_startup_answers_at_once_and_shutdown_tears_down_in_order() -> None:
    """startup.complete before ready; at shutdown: readiness drops, app shuts down, teardown."""
    clock = FakeClock()
    boot = Boot("svc", clock=clock, hooks=[])
    log: list[str] = []
    go = anyio.Event()

    @boot.step
    async def pool() -> AsyncIterator[str]:
        log.append("pool up")
        yield "pool"
        log.append(f"pool down (ready={boot.ready})")

    @boot.step(requires=[pool])
    async def warmup() -> None:
        await go.wait()

    app = asgi(boot, LifespanApp(log))
    async with Server() as server, anyio.create_task_group() as tg:
        tg.start_soon(app, lifespan_scope(), server.receive, server.send)
        assert await server.say("startup") == {"type": "lifespan.startup.complete"}
        await anyio.wait_all_tasks_blocked()
        assert (await call(app, "/readyz")).status == 503
        assert (await call(app, "/")).status == 503
        go.set()
        await anyio.wait_all_tasks_blocked()
        assert (await call(app, "/")).text == "app"
        assert await server.say("shutdown") == {"type": "lifespan.shutdown.complete"}
    assert sorted(log[:2]) == ["app startup", "pool up"]  # concurrent: the order is the loop's
    assert log[2:] == ["app shutdown", "pool down (ready=False)"]


async def test_app_without_lifespan_support_is_fine() -> None:
    """An app that raises on the lifespan scope does not stop the boot from running."""
    svc = Service()

    async def plain(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError("only http")

    app = asgi(svc.boot, plain)
    async with Server() as server, anyio.create_task_group() as tg:
        tg.start_soon(app, lifespan_scope(), server.receive, server.send)
        assert await server.say("startup") == {"type": "lifespan.startup.complete"}
        await svc.finish()
        assert svc.boot.ready
        assert await server.say("shutdown") == {"type": "lifespan.shutdown.complete"}
    assert svc.boot.status().nodes["db"].phase.value == "stopped"


async def test_app_startup_failure_fails_the_lifespan_and_tears_down() -> None:
    """If the app's own startup fails, the server hears startup.failed; the boot is torn down."""
    svc = Service()
    log: list[str] = []
    app = asgi(svc.boot, LifespanApp(log, fail="startup"))
    async with Server() as server, anyio.create_task_group() as tg:
        tg.start_soon(app, lifespan_scope(), server.receive, server.send)
        answer = await server.say("startup")
    assert answer == {"type": "lifespan.startup.failed", "message": "app says no"}
    assert not svc.boot.ready


async def test_app_shutdown_failure_is_reported_after_teardown() -> None:
    """If the app's shutdown fails, the boot is still torn down and the server hears why."""
    svc = Service()
    log: list[str] = []
    app = asgi(svc.boot, LifespanApp(log, fail="shutdown"))
    async with Server() as server, anyio.create_task_group() as tg:
        tg.start_soon(app, lifespan_scope(), server.receive, server.send)
        await server.say("startup")
        answer = await server.say("shutdown")
    assert answer == {"type": "lifespan.shutdown.failed", "message": "app says no"}


async def test_a_graph_error_fails_startup_with_a_clear_message() -> None:
    """A requirement that does not exist: lifespan.startup.failed naming it, no traceback."""
    boot = Boot("svc", clock=FakeClock(), hooks=[])
    boot.step(name="a", requires=["nope"])(lambda: None)
    async with Server() as server, anyio.create_task_group() as tg:
        tg.start_soon(asgi(boot), lifespan_scope(), server.receive, server.send)
        answer = await server.say("startup")
    assert answer["type"] == "lifespan.startup.failed"
    assert "nope" in answer["message"]


def test_boot_one_liners_build_the_http_wrappers() -> None:
    """boot.asgi(app) and boot.wsgi(app) are bootgate.http.asgi / wsgi for that boot."""
    from bootgate import Boot
    from bootgate.http import BootApp, WsgiGate

    boot = Boot("svc", hooks=[])
    wrapped = boot.asgi(None)
    assert isinstance(wrapped, BootApp)
    assert wrapped.boot is boot
    gate = boot.wsgi(None)
    try:
        assert isinstance(gate, WsgiGate)
    finally:
        gate.close()


async def test_an_http_only_app_that_answers_the_lifespan_scope_is_fine() -> None:
    """An app that answers every scope with an HTTP response (docs' quick start) does not speak
    lifespan: startup completes with no failure, and shutdown too."""
    svc = Service()

    async def http_only(scope: Scope, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = asgi(svc.boot, http_only)
    async with Server() as server, anyio.create_task_group() as tg:
        tg.start_soon(app, lifespan_scope(), server.receive, server.send)
        assert await server.say("startup") == {"type": "lifespan.startup.complete"}
        await svc.finish()
        assert (await call(app, "/")).text == "ok"
        assert await server.say("shutdown") == {"type": "lifespan.shutdown.complete"}
