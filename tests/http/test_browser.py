"""The initializing page in a real headless Chromium: live redraw, reload into the app, no-JS."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from bootgate import Boot, FakeClock, Ready, StepContext
from bootgate.http import asgi
from bootgate.http._types import ASGIApp, Scope

from .helpers import served

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def anyio_backend() -> str:
    """uvicorn and Playwright run on asyncio."""
    return "asyncio"


# No network beyond loopback here: Chromium's own background traffic is switched off.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """A headless Chromium driven by Playwright (the system's browser, nothing downloaded)."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def app_page(scope: Scope, receive: Any, send: Any) -> None:
    """The application: an HTML page the browser lands on once the service is ready."""
    if scope["type"] != "http":
        return  # no lifespan of its own
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/html; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": b"<h1 id='app'>hello from the app</h1>"})


class Scenario:
    """A gateway whose migrations move on only when the test says so."""

    def __init__(self) -> None:
        self.boot = Boot("gateway", hooks=[])
        self.second = anyio.Event()
        self.go = anyio.Event()
        self.stream_opened = anyio.Event()

        async def db() -> Ready:
            return Ready()

        dep = self.boot.dependency("db", db, recheck=None)

        @self.boot.step(requires=[dep])
        async def migrations(ctx: StepContext) -> None:
            ctx.progress(1, 3, "Migration0001")
            await self.second.wait()
            ctx.progress(2, 3, "Migration0002")
            await self.go.wait()

    def app(self) -> ASGIApp:
        """The served app, noting when a browser opens the status stream."""
        inner = asgi(self.boot, app_page)

        async def watch(scope: Scope, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/status/stream":
                self.stream_opened.set()
            await inner(scope, receive, send)

        return watch


async def test_page_follows_the_stream_and_reloads_into_the_app(browser: Any) -> None:
    """The page redraws progress from the stream, then shows the app once ready."""
    scenario = Scenario()
    async with served(scenario.app()) as client:
        page = await browser.new_page()
        response = await page.goto(str(client.base_url) + "/")
        assert response.status == 503
        assert await page.title() == "gateway is starting"
        assert "running 1/3 Migration0001" in await page.text_content("#bootgate-nodes")
        with anyio.fail_after(10):
            await scenario.stream_opened.wait()
        scenario.second.set()
        await page.wait_for_selector("text=running 2/3 Migration0002", timeout=10_000)
        scenario.go.set()
        await page.wait_for_selector("#app", timeout=10_000)
        assert await page.text_content("#app") == "hello from the app"
        await page.close()


async def test_page_without_javascript_refreshes_itself(browser: Any) -> None:
    """With JavaScript off, the <noscript> refresh brings the app once it is ready."""
    scenario = Scenario()
    async with served(scenario.app()) as client:
        context = await browser.new_context(java_script_enabled=False)
        page = await context.new_page()
        response = await page.goto(str(client.base_url) + "/")
        assert response.status == 503
        assert not scenario.stream_opened.is_set()
        scenario.second.set()
        scenario.go.set()
        await page.wait_for_selector("#app", timeout=10_000)
        await context.close()


async def test_dashboard_draws_the_graph_and_the_timeline(browser: Any) -> None:
    """The dashboard draws one box per node, one edge per requirement, and timeline bars."""
    scenario = Scenario()
    inner = asgi(scenario.boot, app_page, dashboard=True)
    async with served(inner) as client:
        page = await browser.new_page()
        response = await page.goto(str(client.base_url) + "/bootgate")
        assert response.status == 200
        await page.wait_for_selector("#bootgate-graph g.node", timeout=10_000)
        assert await page.locator("#bootgate-graph g.node").count() == 2
        assert await page.locator("#bootgate-graph line.edge").count() == 1
        assert await page.locator("#bootgate-timeline rect.bar").count() == 2
        scenario.second.set()
        scenario.go.set()
        await page.wait_for_selector("#bootgate-state.state-ready", timeout=10_000)
        assert await page.text_content("#bootgate-details") is not None
        await page.close()


class Stalled:
    """A gateway on a fake clock whose migrations report 2/10 after 2 s, then stall."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.boot = Boot("gateway", clock=self.clock, hooks=[])
        self.go = anyio.Event()

        async def db() -> Ready:
            return Ready()

        dep = self.boot.dependency("db", db, recheck=None)

        @self.boot.step(requires=[dep])
        async def migrations(ctx: StepContext) -> None:
            await self.clock.sleep(2)
            ctx.progress(2, 10, "Migration0002")
            await self.go.wait()

    async def reported(self) -> None:
        """Let the step reach its report (2 s on the fake clock): ETA 8 s."""
        with anyio.fail_after(10):
            while self.boot.status().nodes["migrations"].progress is None:
                self.clock.advance(0.5)
                await anyio.sleep(0.01)  # real time: uvicorn's own tasks run meanwhile


async def test_page_says_overdue_for_a_stalled_step(browser: Any) -> None:
    """An ETA counts down on the open page and turns into "overdue" once it has passed."""
    stalled = Stalled()
    async with served(asgi(stalled.boot, app_page, stream_interval=0)) as client:
        await stalled.reported()
        page = await browser.new_page()
        response = await page.goto(str(client.base_url) + "/")
        assert response.status == 503
        assert "ETA 8.00s" in await page.text_content("#bootgate-nodes")
        stalled.clock.advance(10.2)  # the stream's next tick reads the snapshot 10 s on
        await page.wait_for_selector("text=overdue by 2.00s", timeout=10_000)
        assert "overdue by 2.00s" in await page.text_content("#bootgate-blocking")
        reloaded = await browser.new_page()
        await reloaded.goto(str(client.base_url) + "/")  # the page as served: read now, too
        assert "overdue by" in await reloaded.text_content("#bootgate-nodes")
        stalled.go.set()
        await page.wait_for_selector("#app", timeout=10_000)
        await page.close()
        await reloaded.close()


async def test_dashboard_shows_the_critical_chain_and_warnings(browser: Any) -> None:
    """The dashboard lists the critical chain and the warnings, redrawn from the stream."""
    stalled = Stalled()
    async with served(asgi(stalled.boot, app_page, dashboard=True, stream_interval=0)) as client:
        await stalled.reported()
        page = await browser.new_page()
        await page.goto(str(client.base_url) + "/bootgate")
        await page.wait_for_selector("#bootgate-chain li", timeout=10_000)
        chain = await page.text_content("#bootgate-chain")
        assert re.fullmatch(r"db: ready at \+\d+\.\d{3} s, took 0\.000 s", chain or ""), chain
        stalled.boot.warn("db", "took 0.0 s, 9.9x its median", lasts=60)
        await page.wait_for_selector("#bootgate-warnings li.warning-current", timeout=10_000)
        assert "db: took 0.0 s, 9.9x its median (current)" in await page.text_content(
            "#bootgate-warnings"
        )
        stalled.go.set()
        await page.wait_for_selector("text=/migrations: ready at .*, took 2.000 s/", timeout=10_000)
        assert await page.locator("#bootgate-chain li").count() == 2
        await page.close()
