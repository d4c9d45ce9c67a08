"""The initializing page: complete without JavaScript, live with it, and safe with any name."""

from __future__ import annotations

import re

import anyio
import pytest

from bootgate import Boot, FakeClock, Permanent, ProbeResult, Transient
from bootgate.http import Gate, Paths

from .helpers import Service, call, echo_app

pytestmark = pytest.mark.anyio

HTML = [("accept", "text/html,application/xhtml+xml,*/*;q=0.8")]


async def test_browsers_get_the_page_with_progress_and_reasons() -> None:
    """The page names the service, each node with phase and progress, and why it waits."""
    svc = Service()
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.db_up()
        reply = await call(gate, "/dashboard", headers=HTML)
        assert reply.status == 503
        assert reply.headers["content-type"] == "text/html; charset=utf-8"
        assert reply.headers["retry-after"] == "1"
        page = reply.text
        assert '<span class="service">gateway</span>' in page
        assert '<th scope="row">db</th><td class="phase">ready</td>' in page
        assert '<td class="phase">starting</td>' in page
        assert '<progress max="100" value="64"></progress>' in page
        assert "running 16/25 Migration0016" in page
        assert "<li>migrations: running 16/25 Migration0016" in page
        assert "1 of 2 ready" in page
    finally:
        await svc.boot.stop()


async def test_page_works_without_javascript_and_loads_its_assets_locally() -> None:
    """<noscript> meta refresh, and script/style from the gate itself (with root_path)."""
    svc = Service()
    gate = Gate(echo_app, svc.boot, paths=Paths(prefix="/-"))
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        page = (await call(gate, "/", headers=HTML, root_path="/shop")).text
        assert '<noscript><meta http-equiv="refresh" content="1"></noscript>' in page
        assert 'data-stream="/shop/-/status/stream"' in page
        script = re.search(r'<script src="([^"?]+)\?v=[0-9a-f]{12}" defer>', page)
        style = re.search(r'<link rel="stylesheet" href="([^"?]+)\?v=[0-9a-f]{12}">', page)
        assert script is not None
        assert style is not None
        assert (script[1], style[1]) == ("/shop/-/_bootgate/page.js", "/shop/-/_bootgate/page.css")
        assert "http://" not in page
        assert "https://" not in page
        js = await call(gate, "/-/_bootgate/page.js", root_path="/shop")
        assert js.status == 200
        assert js.headers["content-type"].startswith("text/javascript")
        assert "EventSource" in js.text
        assert "innerHTML" not in js.text
        css = await call(gate, "/-/_bootgate/page.css")
        assert css.headers["content-type"].startswith("text/css")
    finally:
        await svc.boot.stop()


async def test_names_and_reasons_are_escaped() -> None:
    """A service, node or reason made of markup shows as text, never as markup (XSS)."""
    evil = '<script>alert("x")</script>'
    node = '"><img src=x onerror=alert(1)>'
    boot = Boot(evil, clock=FakeClock(), hooks=[])

    async def probe() -> ProbeResult:
        return Transient(f"refused by {evil}")

    boot.dependency(node, probe, recheck=None)
    gate = Gate(echo_app, boot)
    await boot.start(wait=False)
    try:
        await anyio.wait_all_tasks_blocked()
        page = (await call(gate, "/", headers=HTML)).text
        assert "<script>alert" not in page
        assert "<img" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
        assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
        assert page.count("<script") == 1  # only the page's own script tag
    finally:
        await boot.stop()


async def test_page_headline_when_startup_cannot_complete() -> None:
    """When a required node failed for good, the page says the service cannot start."""
    svc = Service()
    svc.answer = Permanent("password authentication failed")
    gate = Gate(echo_app, svc.boot)
    await svc.boot.start(wait=False)
    try:
        await svc.settle()
        page = (await call(gate, "/", headers=HTML)).text
        assert "<title>gateway cannot start</title>" in page
        assert "password authentication failed" in page
    finally:
        await svc.boot.stop()
