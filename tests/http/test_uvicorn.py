"""End to end through a real ASGI server (uvicorn) on a spare loopback port."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
import uvicorn

from bootgate import Boot, Ready
from bootgate.http import asgi

from .helpers import echo_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """uvicorn runs on asyncio only."""
    return "asyncio"


def listening_socket() -> socket.socket:
    """A socket on a spare loopback port, already listening, so no client races the server."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


async def test_probes_gate_stream_and_shutdown_through_uvicorn() -> None:
    """Probes answer during startup, the page stream reports readiness, shutdown tears down."""
    boot = Boot("gateway", hooks=[])
    go = anyio.Event()
    log: list[str] = []

    async def db() -> Ready:
        return Ready()

    dep = boot.dependency("db", db, recheck=None)

    @boot.step(requires=[dep])
    async def migrations() -> AsyncIterator[None]:
        await go.wait()
        yield
        log.append(f"migrations teardown, ready={boot.ready}")

    app = asgi(boot, echo_app)
    sock = listening_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    with sock:
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve, [sock])
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                assert (await client.get("/livez")).text == "ok"
                readyz = await client.get("/readyz", params={"verbose": ""})
                assert readyz.status_code == 503
                assert "[-]migrations starting: running" in readyz.text
                gated = await client.get("/orders", headers={"accept": "application/json"})
                assert gated.status_code == 503
                assert gated.headers["retry-after"] == "1"
                page = await client.get("/orders", headers={"accept": "text/html"})
                assert "gateway" in page.text
                async with client.stream("GET", "/status/stream") as stream:
                    assert stream.headers["content-type"].startswith("text/event-stream")
                    seen: list[dict[str, object]] = []
                    with anyio.fail_after(10):
                        async for line in stream.aiter_lines():
                            if not line.startswith("data: "):
                                continue
                            doc = json.loads(line.removeprefix("data: "))
                            seen.append(doc)
                            if doc["bootgate"]["ready"]:
                                break
                            go.set()
                assert seen[0]["status"] == "fail"
                assert seen[-1]["status"] == "pass"
                assert (await client.get("/orders")).text == "app /orders"
                assert (await client.get("/readyz")).text == "ok"
            server.should_exit = True
    assert log == ["migrations teardown, ready=False"]
