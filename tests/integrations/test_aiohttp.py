"""aiohttp: the boot runs with the app; endpoints, gate, hold and stream through a real server."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from aiohttp import web

from bootgate import Boot, Ready, StepContext
from bootgate.integrations.aiohttp import setup

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp runs on asyncio only."""
    return "asyncio"


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[httpx.AsyncClient]:
    """Serve `app` on a spare loopback port (listening before startup); yield a client."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            yield client
    finally:
        await runner.cleanup()
        sock.close()


def service() -> tuple[Boot, anyio.Event, list[str]]:
    """A boot whose migrations wait for the test's go, with a teardown that logs readiness."""
    boot = Boot("shop", hooks=[])
    go = anyio.Event()
    log: list[str] = []

    async def db() -> Ready:
        return Ready()

    dep = boot.dependency("db", db, recheck=None)

    @boot.step(requires=[dep])
    async def migrations(ctx: StepContext) -> AsyncIterator[None]:
        ctx.progress(1, 2, "0001_initial")
        await go.wait()
        yield
        log.append(f"migrations teardown, ready={boot.ready}")

    return boot, go, log


async def hello(request: web.Request) -> web.Response:
    """The application's handler."""
    return web.Response(text=f"hello from {request.path}")


async def test_gate_and_endpoints_until_ready_then_the_app() -> None:
    """503 with Retry-After and the page while starting; the handler once ready; teardown."""
    boot, go, log = service()
    app = web.Application()
    app.router.add_get("/orders", hello)
    setup(app, boot)
    async with serving(app) as client:
        assert (await client.get("/livez")).text == "ok"
        readyz = await client.get("/readyz")
        assert readyz.status_code == 503
        gated = await client.get("/orders", headers={"accept": "application/json"})
        assert (gated.status_code, gated.headers["retry-after"]) == (503, "1")
        page = await client.get("/orders", headers={"accept": "text/html"})
        assert "shop" in page.text
        assert (await client.get("/_bootgate/page.js")).status_code == 200
        async with client.stream("GET", "/status/stream") as stream:
            with anyio.fail_after(10):
                async for line in stream.aiter_lines():
                    if line.startswith("data: "):
                        if json.loads(line.removeprefix("data: "))["bootgate"]["ready"]:
                            break
                        go.set()
        assert (await client.get("/orders")).text == "hello from /orders"
        assert (await client.get("/status")).json()["status"] == "pass"
    assert log == ["migrations teardown, ready=False"]


async def test_hold_and_dashboard() -> None:
    """hold: a request made while starting gets the handler's answer; the dashboard is local."""
    boot, go, _ = service()
    app = web.Application()
    app.router.add_get("/orders", hello)
    setup(app, boot, hold="10s", dashboard=True)
    async with serving(app) as client:
        results: list[Any] = []
        async with anyio.create_task_group() as tg:

            async def held() -> None:
                results.append(await client.get("/orders"))

            tg.start_soon(held)
            dashboard = await client.get("/bootgate")
            assert dashboard.status_code == 200
            assert "shop" in dashboard.text
            go.set()
        assert results[0].text == "hello from /orders"


async def test_shutdown_ends_open_streams_at_once() -> None:
    """A page still watching at shutdown gets a closed stream, and cleanup does not wait it out."""
    boot, go, _ = service()
    go.set()
    app = web.Application()
    setup(app, boot)
    lines: list[str] = []
    with anyio.fail_after(10):  # far below the 15 s keep-alive and aiohttp's 60 s grace
        async with serving(app) as client, anyio.create_task_group() as tg:
            opened = anyio.Event()

            async def watch() -> None:
                async with client.stream("GET", "/status/stream") as stream:
                    opened.set()
                    async for line in stream.aiter_lines():
                        lines.append(line)

            tg.start_soon(watch)
            await opened.wait()
            await app.shutdown()  # what the runner's cleanup does first
    assert any(line.startswith("data: ") for line in lines)
    assert not boot.ready


async def test_unknown_option_names_the_nearest() -> None:
    """setup() refuses a misspelt option by name, suggesting the valid one."""
    from bootgate import ConfigError

    with pytest.raises(ConfigError, match=r"'hlod' \(did you mean 'hold'\?\)"):
        setup(web.Application(), Boot("svc", hooks=[]), hlod="2s")  # type: ignore[call-arg]
