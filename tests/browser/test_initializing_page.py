"""The initializing page in a real browser: live progress, then the app, with or without JS."""

from __future__ import annotations

import re
from typing import Any

from tests.examples.uvicorn_server import spare_port, uvicorn, wait_listening

GATEWAY = "examples.s1_gateway.demo:asgi_app"


def test_progress_changes_then_the_app_appears_without_a_reload(browser: Any) -> None:
    """With JavaScript the page redraws from the stream and then lands on the app by itself."""
    port = spare_port()
    with uvicorn(GATEWAY, port, {"MIGRATION_DELAY": "0.15"}):
        wait_listening(port)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/api/packages", wait_until="commit", timeout=20_000)
        page.wait_for_selector("text=is starting", timeout=20_000)
        seen: set[str] = set()
        for _ in range(200):  # bounded: at most 200 reads of the progress cell
            text = page.inner_text("body")
            match = re.search(r"running (\d+)/25", text)
            if match:
                seen.add(match.group(1))
            if len(seen) >= 3 or ("packages" in page.url and '"packages"' in text):
                break
            page.wait_for_timeout(100)
        assert len(seen) >= 3, f"progress did not move: {seen}"
        page.wait_for_function("document.body.innerText.includes('\"packages\"')", timeout=30_000)
        assert page.url.endswith("/api/packages")
        assert "pkg25" in page.inner_text("body")
        page.close()


def test_without_javascript_meta_refresh_reaches_the_app(browser: Any) -> None:
    """With JavaScript off, the page's meta refresh alone brings the app once ready."""
    port = spare_port()
    with uvicorn(GATEWAY, port, {"MIGRATION_DELAY": "0.05"}):
        wait_listening(port)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/api/packages", wait_until="commit", timeout=20_000)
        assert "is starting" in page.content()
        for _ in range(300):  # bounded: 300 looks, 100 ms apart
            if "pkg25" in page.content():
                break
            page.wait_for_timeout(100)
        assert "pkg25" in page.content()
        assert page.url.endswith("/api/packages")
        context.close()
