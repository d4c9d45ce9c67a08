"""aiohttp apps with setup(app, boot), through aiohttp's own test server and client."""

from __future__ import annotations

import json

import anyio
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bootgate import Boot, Transient
from bootgate.integrations.aiohttp import setup

from .frameworks import SECRET, Service, until_ready, until_running

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp runs on asyncio only."""
    return "asyncio"


def shop(svc: Service, *, hold: str = "0s", exempt: tuple[str, ...] = ()) -> web.Application:
    """An aiohttp app with one route that names the boot it runs with."""
    app = web.Application()

    async def orders(request: web.Request) -> web.Response:
        return web.json_response({"orders": 3})

    async def asset(request: web.Request) -> web.Response:
        return web.Response(text="body { }")

    app.router.add_get("/orders", orders)
    app.router.add_get("/static/app.css", asset)
    setup(app, svc.boot, hold=hold, exempt=exempt)
    return app


async def test_gate_until_ready_then_the_app() -> None:
    """Before ready: 503 + Retry-After (page or JSON), failing probes; after: aiohttp answers."""
    svc = Service()
    async with TestClient(TestServer(shop(svc, exempt=("/static/",)))) as client:
        await until_running(svc.boot)
        livez = await client.get("/livez")
        assert (livez.status, await livez.text()) == (200, "ok")
        assert (await client.get("/startupz")).status == 503
        verbose = await client.get("/readyz", params={"verbose": ""})
        assert verbose.status == 503
        assert "[-]migrations" in await verbose.text()
        gated = await client.get("/orders", headers={"accept": "application/json"})
        assert gated.status == 503
        assert int(gated.headers["retry-after"]) >= 1
        assert (await gated.json())["status"] == "starting"
        page = await client.get("/orders", headers={"accept": "text/html"})
        assert page.status == 503
        text = await page.text()
        assert "shop" in text
        assert "16" in text
        assert (await client.get("/static/app.css")).status == 200  # exempt
        head = await client.head("/readyz")
        assert head.status == 503
        assert (await client.post("/readyz")).status == 405
        svc.release()
        assert await until_ready(svc.boot)
        ok = await client.get("/orders")
        assert await ok.json() == {"orders": 3}
        assert await (await client.get("/readyz")).text() == "ok"
        status = await client.get("/status")
        assert status.headers["content-type"] == "application/health+json"
        assert (await status.json(content_type=None))["status"] == "pass"
    assert svc.log == ["teardown ready=False"]


async def test_status_stream_reports_readiness() -> None:
    """/status/stream sends a status event per change, and readiness arrives as one."""
    svc = Service()
    async with TestClient(TestServer(shop(svc))) as client:
        response = await client.get("/status/stream")
        assert response.headers["content-type"].startswith("text/event-stream")
        seen: list[bool] = []
        with anyio.fail_after(10):
            async for raw in response.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    seen.append(json.loads(line.removeprefix("data: "))["bootgate"]["ready"])
                    if seen[-1]:
                        break
                    svc.release()
        response.close()
        assert seen[0] is False
        assert seen[-1] is True


async def test_an_open_stream_does_not_hold_up_shutdown() -> None:
    """At shutdown open status streams end, so cleanup (the teardown) runs without delay."""
    svc = Service()
    svc.release()
    with anyio.fail_after(10):  # aiohttp would wait 60 s for a stream that never ends
        async with TestClient(TestServer(shop(svc))) as client:
            await until_ready(svc.boot)
            response = await client.get("/status/stream")
            assert (await response.content.readline()).startswith(b"retry:")
    assert svc.log == ["teardown ready=False"]


async def test_hold_lets_a_request_wait_for_readiness() -> None:
    """With hold, a request made during startup is answered by the app once it is ready."""
    svc = Service()
    async with TestClient(TestServer(shop(svc, hold="10s"))) as client:
        await until_running(svc.boot)
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.to_thread.run_sync, svc.release)
            answer = await client.get("/orders")
        assert answer.status == 200


async def test_secrets_never_reach_the_answers() -> None:
    """A failing check whose reason carries a password shows *** in gate, probes and status."""
    svc = Service()

    async def refused() -> Transient:
        return Transient(f"connection refused (postgres://app:{SECRET}@127.0.0.1:5432/app)")

    svc.boot.dependency("cache", refused, recheck=None)
    async with TestClient(TestServer(shop(svc))) as client:
        await until_running(svc.boot)
        for path in ("/orders", "/readyz?verbose", "/status"):
            for accept in ("text/html", "application/json"):
                body = await (await client.get(path, headers={"accept": accept})).text()
                assert SECRET not in body


async def test_a_graph_error_fails_the_startup() -> None:
    """A step requiring an unknown name fails aiohttp's startup with that name in the error."""
    boot = Boot("broken", hooks=[])
    boot.step(name="a", requires=["nope"])(lambda: None)
    app = web.Application()
    setup(app, boot)
    server = TestServer(app)
    try:
        with pytest.raises(Exception, match="nope"):
            await server.start_server()
    finally:
        await server.close()
