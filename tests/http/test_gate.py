"""The gate: nothing reaches the app before ready; 503 answers with hints; hold mode."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.lowlevel
import pytest

from bootgate import Boot, FakeClock, PermanentError, StepContext
from bootgate.http import TRY_AGAIN_LATER, Gate
from bootgate.http._types import Message, Scope

from .helpers import Connection, Service, call, echo_app, http_scope

pytestmark = pytest.mark.anyio


async def test_json_clients_get_503_with_retry_after_and_blocking() -> None:
    """Before ready: JSON {"status": "starting", "retry_after", "blocking"} and Retry-After."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        reply = await call(gate, "/api/things", headers=[("accept", "application/json")])
        assert reply.status == 503
        assert reply.headers["retry-after"] == "1"
        assert reply.headers["cache-control"] == "no-store"
        doc = reply.json()
        assert doc["status"] == "starting"
        assert doc["retry_after"] == 1
        assert doc["blocking"][0].startswith("migrations ← db: connection refused")
        await svc.finish()
        reply = await call(gate, "/api/things")
        assert (reply.status, reply.text) == (200, "app /api/things")
    finally:
        await svc.boot.stop()


async def test_retry_after_follows_the_largest_eta() -> None:
    """A step at 1/4 after 10 s has a 30 s ETA: Retry-After says 30."""
    clock = FakeClock()
    boot = Boot("svc", clock=clock, hooks=[])
    go = anyio.Event()

    @boot.step
    async def sync_caches(ctx: StepContext) -> None:
        await clock.sleep(10)
        ctx.progress(1, 4, "packages")
        await go.wait()

    gate = Gate(echo_app, boot)
    await boot.start(wait=False)
    try:
        await anyio.wait_all_tasks_blocked()
        clock.advance(10)
        await anyio.wait_all_tasks_blocked()
        reply = await call(gate, "/")
        assert reply.headers["retry-after"] == "30"
        assert reply.json()["retry_after"] == 30
        go.set()
    finally:
        await boot.stop()


async def test_stopping_and_failed_say_so() -> None:
    """The gate's JSON says "failed" when startup cannot complete and "stopping" at shutdown."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    svc.fail_migrations = PermanentError("schema is newer than the code")
    await svc.boot.start(wait=False)
    try:
        await svc.db_up()
        svc.release.set()
        await svc.settle()
        doc = (await call(gate, "/")).json()
        assert doc["status"] == "failed"
        assert "schema is newer than the code" in doc["blocking"][0]
        svc.boot.mark_stopping()
        assert (await call(gate, "/")).json()["status"] == "stopping"
    finally:
        await svc.boot.stop()


async def test_hold_waits_for_readiness_then_passes() -> None:
    """hold=5: a request made while starting waits, and reaches the app once ready."""
    svc = Service()
    gate = Gate(echo_app, svc.boot, hold="5s")
    replies: list[Any] = []
    await svc.boot.start(wait=False)
    try:
        async with anyio.create_task_group() as tg:

            async def request() -> None:
                replies.append(await call(gate, "/orders"))

            tg.start_soon(request)
            await svc.settle()
            assert replies == []
            await svc.finish()
        assert (replies[0].status, replies[0].text) == (200, "app /orders")
    finally:
        await svc.boot.stop()


async def test_hold_gives_up_after_its_time() -> None:
    """hold=5: still not ready after 5 s, the request gets the ordinary 503."""
    svc = Service()
    gate = Gate(echo_app, svc.boot, hold=5)
    replies: list[Any] = []
    await svc.boot.start(wait=False)
    try:
        async with anyio.create_task_group() as tg:

            async def request() -> None:
                replies.append(await call(gate, "/orders"))

            tg.start_soon(request)
            await svc.settle()
            svc.clock.advance(4.9)
            await svc.settle()
            assert replies == []
            svc.clock.advance(0.2)
        assert replies[0].status == 503
    finally:
        await svc.boot.stop()


async def test_exempt_paths_always_reach_the_app() -> None:
    """Paths under an exempt prefix are served while starting; others are not."""
    svc = Service()
    gate = Gate(echo_app, svc.boot, exempt=["/static/"])
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        assert (await call(gate, "/static/app.css")).status == 200
        assert (await call(gate, "/staticky")).status == 503
    finally:
        await svc.boot.stop()


async def test_websocket_refused_until_ready_then_passed_through() -> None:
    """A WebSocket handshake before ready is closed with 1013; after ready it reaches the app."""
    svc = Service()
    seen: list[str] = []

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        seen.append(scope["type"])
        await receive()
        await send({"type": "websocket.accept"})

    gate = Gate(app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        for expected in (
            {"type": "websocket.close", "code": TRY_AGAIN_LATER},
            {"type": "websocket.accept"},
        ):
            sent: list[Message] = []

            async def receive() -> Message:
                return {"type": "websocket.connect"}

            async def send(message: Message, sent: list[Message] = sent) -> None:
                sent.append(message)

            scope = {**http_scope("/ws"), "type": "websocket"}
            await gate(scope, receive, send)
            assert sent == [expected]
            await svc.finish()
        assert seen == ["websocket"]
    finally:
        await svc.boot.stop()


async def test_lifespan_passes_through_untouched() -> None:
    """Gate does not handle lifespan: the app receives the very same scope and callables."""
    svc = Service()
    got: list[Any] = []

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        got.extend([scope, receive, send])

    async def receive() -> Message:
        raise AssertionError("not called")

    async def send(message: Message) -> None:
        raise AssertionError("not called")

    scope: Scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    await Gate(app, svc.boot)(scope, receive, send)
    assert got == [scope, receive, send]


async def test_no_request_reaches_the_app_before_ready_under_a_hammer() -> None:
    """400 requests racing with the last step: the app only ever runs when ready (S5)."""
    svc = Service()
    early: list[str] = []
    served: list[str] = []

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        (served if svc.boot.ready else early).append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    gate = Gate(app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.db_up()
        codes: list[int] = []
        async with anyio.create_task_group() as tg:

            async def hammer(i: int) -> None:
                codes.append((await call(gate, f"/r{i}")).status)

            for i in range(400):
                tg.start_soon(hammer, i)
                await anyio.lowlevel.checkpoint()  # let requests and startup interleave
                if i == 200:
                    svc.release.set()
        assert early == []
        assert codes.count(200) == len(served) > 0
        assert codes.count(503) > 0
    finally:
        await svc.boot.stop()


async def test_health_only_app_answers_404_elsewhere() -> None:
    """`asgi(boot)` without an app: the endpoints answer, other paths get 404 once ready."""
    from bootgate.http import asgi

    svc = Service()
    app = asgi(svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.finish()
        assert (await call(app, "/readyz")).text == "ok"
        assert (await call(app, "/anything")).status == 404
        connection = Connection()
        scope = {**http_scope("/ws"), "type": "websocket"}

        async def receive() -> Message:
            return {"type": "websocket.connect"}

        await app(scope, receive, connection.send)
        assert connection.sent == [{"type": "websocket.close", "code": 1000}]
    finally:
        await svc.boot.stop()


async def test_hold_lets_go_at_once_when_shutdown_begins() -> None:
    """A held request is answered 503 as soon as the service starts stopping."""
    svc = Service()
    gate = Gate(echo_app, svc.boot, hold=60)
    replies: list[Any] = []
    await svc.boot.start(wait=False)
    try:
        async with anyio.create_task_group() as tg:

            async def request() -> None:
                replies.append(await call(gate, "/orders"))

            tg.start_soon(request)
            await svc.settle()
            assert replies == []
            svc.boot.mark_stopping()
        assert replies[0].status == 503
        assert replies[0].json()["status"] == "stopping"
    finally:
        await svc.boot.stop()


async def test_head_requests_are_gated_without_a_body() -> None:
    """HEAD before ready: 503 with Retry-After and the length, but no body."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        reply = await call(gate, "/orders", method="HEAD")
        assert (reply.status, reply.body) == (503, b"")
        assert reply.headers["retry-after"] == "1"
        assert int(reply.headers["content-length"]) > 0
    finally:
        await svc.boot.stop()
