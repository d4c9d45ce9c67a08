"""End to end through a real ASGI server (uvicorn) on a spare loopback port."""

from __future__ import annotations

import json
import signal
import socket
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
import uvicorn

from bootgate import Boot, Ready
from bootgate.http import asgi

from .helpers import echo_app, served

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """uvicorn runs on asyncio only."""
    return "asyncio"


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

    async with served(asgi(boot, echo_app)) as client:
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
    assert log == ["migrations teardown, ready=False"]


async def test_sigterm_drops_readiness_first_and_open_streams_do_not_hold_shutdown() -> None:
    """SIGTERM with a page watching: readiness drops, the stream ends, the server stops."""
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, frame: received.append(number))
    try:
        boot = Boot("gateway", hooks=[])
        log: list[str] = []

        @boot.step
        async def pool() -> AsyncIterator[None]:
            yield
            log.append(f"pool closed, ready={boot.ready}")

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        server = uvicorn.Server(uvicorn.Config(asgi(boot, echo_app), log_level="warning"))
        events: list[dict[str, Any]] = []
        terminated: list[bool] = []
        with sock, anyio.fail_after(10):  # without the fix: stuck until the stream's client leaves
            async with anyio.create_task_group() as tg:
                tg.start_soon(server.serve, [sock])
                base = f"http://127.0.0.1:{sock.getsockname()[1]}"
                async with (
                    httpx.AsyncClient(base_url=base, timeout=30) as client,
                    client.stream("GET", "/status/stream") as stream,
                ):
                    async for line in stream.aiter_lines():
                        if not line.startswith("data: "):
                            continue
                        events.append(json.loads(line.removeprefix("data: "))["bootgate"])
                        if events[-1]["ready"] and not terminated:
                            terminated.append(True)
                            signal.raise_signal(signal.SIGTERM)
        assert events[-1]["stopping"] is True
        assert log == ["pool closed, ready=False"]
        assert received in ([], [signal.SIGTERM])  # servers may re-raise it once they are done
    finally:
        signal.signal(signal.SIGTERM, previous)


async def test_complete_answers_carry_their_length() -> None:
    """Gate and endpoint answers say Content-Length, so connections stay alive unchunked."""
    from bootgate import Boot
    from bootgate.http import asgi
    from tests.http.helpers import served

    boot = Boot("svc", hooks=[])
    async with served(asgi(boot)) as client:
        for path in ("/readyz", "/livez", "/status", "/anything"):
            response = await client.get(path)
            assert response.headers["content-length"] == str(len(response.content))
            assert "transfer-encoding" not in response.headers


async def test_an_http_only_app_starts_under_uvicorn() -> None:
    """boot.asgi(app) around an app without lifespan support starts and serves under uvicorn
    (it once ended with "Application startup failed" and no reason)."""
    boot = Boot("plain", hooks=[])

    async def http_only(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"plain"})

    async with served(boot.asgi(http_only)) as client:
        with anyio.fail_after(10):
            while (await client.get("/readyz")).status_code != 200:
                await anyio.sleep(0.01)
        assert (await client.get("/anything")).text == "plain"
