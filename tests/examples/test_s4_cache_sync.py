"""Scenario S4: nothing says "no packages" before the cache synced; open pages hear of ready."""

from __future__ import annotations

import json
import re

import anyio
import httpx
import pytest

from tests.examples.uvicorn_server import spare_port, uvicorn

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """End-to-end runs need one event loop for the client, not both."""
    return "asyncio"


async def wait_listening(client: httpx.AsyncClient, url: str) -> None:
    """Until the server accepts connections (bounded: 15 s)."""
    with anyio.fail_after(15):
        while True:
            try:
                await client.get(url)
                return
            except httpx.TransportError:
                await anyio.sleep(0.02)


async def ready_event(client: httpx.AsyncClient, base: str) -> dict[str, object]:
    """Follow the status stream until a snapshot says ready; return it."""
    async with client.stream("GET", f"{base}/status/stream") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        async for line in stream.aiter_lines():
            if line.startswith("data:"):
                document = json.loads(line[5:])
                if document["bootgate"]["ready"]:
                    return dict(document)
    raise AssertionError("stream ended before ready")


async def test_initializing_until_synced_then_packages_and_metrics() -> None:
    """During sync pages get the initializing page; the stream announces ready; metrics count."""
    port = spare_port()
    base = f"http://127.0.0.1:{port}"
    env = {"S4_SYNC_SECONDS": "2.0", "S4_BUDGET": "1s"}
    async with httpx.AsyncClient(timeout=10) as client:
        with uvicorn("examples.s4_cache_sync.app:app", port, env, capture=True) as server:
            await wait_listening(client, f"{base}/livez")
            early = await client.get(base + "/", headers={"accept": "text/html"})
            assert early.status_code == 503
            assert "no packages installed" not in early.text
            assert 'http-equiv="refresh"' in early.text
            assert "cache_sync" in early.text
            api = await client.get(base + "/api/packages", headers={"accept": "application/json"})
            assert api.status_code == 503
            assert api.json()["status"] == "starting"

            document = await ready_event(client, base)
            assert document["status"] in ("pass", "warn")

            page = await client.get(base + "/", headers={"accept": "text/html"})
            assert page.status_code == 200
            assert "40 packages installed" in page.text
            metrics = (await client.get(base + "/metrics")).text
            labels = 'node="cache_sync",service="packages"'
            over = re.search(rf"bootgate_node_over_budget_total{{{labels}}} (\S+)", metrics)
            duration = re.search(rf"bootgate_node_duration_seconds{{{labels}}} (\S+)", metrics)
            assert over is not None
            assert float(over.group(1)) == 1.0
            assert duration is not None
            assert 2.0 <= float(duration.group(1)) < 4.0
            server.terminate()
            _, stderr = server.communicate(timeout=15)
    assert server.returncode in (0, -15)  # uvicorn re-raises the SIGTERM it handled
    assert b"Traceback" not in stderr
    assert b"packages/cache_sync: not ready after its budget of 1.00s" in stderr
