"""The timeline SVG: well-formed, one row per node, the chain outlined, and shown by Chromium."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bootgate.observe import NodeTiming, Startup, critical_chain, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

STARTUP = Startup(
    service="gateway",
    began_wall=1_767_323_045.0,
    nodes=(
        NodeTiming("db", "dependency", (), "ready", 0.0, 0.8, 0.8, attempts=7),
        NodeTiming("cache", "step", (), "ready", 0.0, 2.0, 2.0, optional=True, attempts=1),
        NodeTiming("migrations", "step", ("db",), "ready", 0.8, 5.1, 4.3, attempts=1,
                   warning="migrations took 4.3 s, 3.4x its median of 1.3 s"),
        NodeTiming("default_tenant", "step", ("migrations",), "ready", 5.1, 5.2, 0.1, attempts=1),
        NodeTiming("providers", "step", ("default_tenant", "cache"), "ready", 5.2, 5.3, 0.1,
                   attempts=1),
        NodeTiming("worker", "process", (), "ready", 0.1, 0.6, 0.5, attempts=1),
        NodeTiming("audit", "step", ("db",), "failed", 0.8, None, None, attempts=3,
                   reason="PermanentError: <audit> & \"log\" table missing"),
        NodeTiming("report", "step", ("audit",), "blocked",
                   reason="report requires audit, but audit failed"),
        NodeTiming("search", "dependency", (), "waiting", 0.0, attempts=40),
    ),
    outcome="ready",
    ended_s=5.3,
    at_s=6.0,
)  # fmt: skip


def rows(svg: str) -> dict[str, ET.Element]:
    """The node rows of a timeline, by node name."""
    root = ET.fromstring(svg)
    return {g.attrib["data-node"]: g for g in root.iter(f"{SVG}g") if "data-node" in g.attrib}


def test_the_timeline_is_well_formed_with_a_row_per_node_in_start_order() -> None:
    """The SVG parses as XML, has a row per node (started ones first, by start time), and
    escapes whatever the names and reasons hold."""
    svg = timeline_svg(STARTUP, critical_chain(STARTUP.nodes))
    found = rows(svg)
    assert list(found) == [
        "db", "cache", "search", "worker", "migrations", "audit", "default_tenant", "providers",
        "report",
    ]  # fmt: skip
    assert "&lt;audit&gt; &amp; &quot;log&quot;" in svg
    title = found["db"].find(f"{SVG}title")
    assert title is not None
    assert title.text == (
        "db (dependency): ready; started @+0.000s; ready @+0.800s; took 0.800s; 7 attempts"
    )


def test_bars_sit_on_the_time_axis_and_the_chain_is_outlined() -> None:
    """A bar starts at its node's start and is as long as it took; only chain nodes are
    outlined; a node that failed is red, one still waiting grey, a blocked one has no bar."""
    svg = timeline_svg(STARTUP, critical_chain(STARTUP.nodes))
    found = rows(svg)

    def bar(name: str) -> dict[str, str]:
        element = found[name].find(f"{SVG}rect[@class='bar']")
        assert element is not None, name
        return element.attrib

    db, migrations = bar("db"), bar("migrations")
    scale = float(db["width"]) / 0.8
    assert float(migrations["x"]) == pytest.approx(float(db["x"]) + 0.8 * scale, abs=0.1)
    assert float(migrations["width"]) == pytest.approx(4.3 * scale, abs=0.1)
    outlined = {name for name in found if name != "report" and "stroke" in bar(name)}
    assert outlined == {"db", "migrations", "default_tenant", "providers"}
    assert bar("audit")["fill"] == "#e45756"
    assert bar("search")["fill"] == "#c9c3bf"
    assert found["report"].find(f"{SVG}rect[@class='bar']") is None
    assert "⚠ migrations took 4.3 s" in svg


def test_a_startup_with_no_times_still_draws() -> None:
    """Before anything started (span 0) the timeline is still a valid, small document."""
    svg = timeline_svg(Startup("idle", 0.0, (NodeTiming("a"),), "starting"))
    assert list(rows(svg)) == ["a"]


@pytest.fixture
def anyio_backend() -> str:
    """Playwright runs on asyncio."""
    return "asyncio"


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    """A headless Chromium driven by Playwright (the system's browser, nothing downloaded)."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.async_api import async_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.mark.anyio
@pytest.mark.slow
async def test_chromium_renders_the_timeline_file(chromium: Any, tmp_path: Path) -> None:
    """Opened as a file, the SVG renders: every bar has a size on screen, inside the picture,
    labels lie left of the plot, and nothing is fetched from anywhere."""
    path = tmp_path / "timeline.svg"
    path.write_text(timeline_svg(STARTUP, critical_chain(STARTUP.nodes)))
    page = await chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    await page.goto(path.as_uri())
    assert await page.evaluate("document.documentElement.localName") == "svg"
    boxes = await page.evaluate(
        """() => Array.from(document.querySelectorAll('rect.bar')).map(r => {
            const b = r.getBoundingClientRect();
            return [r.parentNode.dataset.node, b.x, b.y, b.width, b.height];
        })"""
    )
    size = await page.evaluate(
        "[document.documentElement.width.baseVal.value, "
        "document.documentElement.height.baseVal.value]"
    )
    assert len(boxes) == 8
    for name, x, y, width, height in boxes:
        assert (width >= 3, height > 10) == (True, True), name
        assert (x >= 0, y >= 0) == (True, True), name
        assert (x + width <= size[0], y + height <= size[1]) == (True, True), name
    label_right = await page.evaluate(
        """() => Math.max(...Array.from(document.querySelectorAll('g.node > text'))
            .filter(t => t.getAttribute('text-anchor') === 'end')
            .map(t => t.getBoundingClientRect().right))"""
    )
    assert label_right <= min(x for _, x, *_ in boxes)
    await page.screenshot(path=str(tmp_path / "timeline.png"))
    assert (tmp_path / "timeline.png").stat().st_size > 10_000
    assert requests == [path.as_uri()]
