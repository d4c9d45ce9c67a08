"""FastAPI and Starlette apps: lifespan(boot, inner) + GateMiddleware, and the asgi() one-liner."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from bootgate import Transient
from bootgate.http import asgi
from bootgate.integrations.starlette import GateMiddleware, lifespan

from .frameworks import SECRET, Service, spare_port, until_ready, until_running


def fastapi_app(svc: Service, log: list[str]) -> FastAPI:
    """A FastAPI app with its own lifespan, run together with the boot's."""

    async def own(app: FastAPI) -> AsyncIterator[dict[str, str]]:
        log.append("app startup")
        yield {"greeting": "hello"}
        log.append(f"app shutdown ready={svc.boot.ready}")

    app = FastAPI(lifespan=lifespan(svc.boot, asynccontextmanager(own)))
    app.add_middleware(GateMiddleware, boot=svc.boot)

    @app.get("/orders")
    async def orders(request: Request) -> dict[str, str]:
        return {"orders": request.state.greeting}

    return app


def test_fastapi_gates_until_ready_then_serves() -> None:
    """Before ready: 503 + Retry-After (JSON or page) and failing probes; after: the app runs."""
    svc = Service()
    log: list[str] = []
    with TestClient(fastapi_app(svc, log)) as client:
        client.portal.call(until_running, svc.boot)  # type: ignore[union-attr]
        assert client.get("/livez").text == "ok"
        assert client.get("/startupz").status_code == 503
        readyz = client.get("/readyz", params={"verbose": ""})
        assert readyz.status_code == 503
        assert "[-]migrations" in readyz.text
        gated = client.get("/orders", headers={"accept": "application/json"})
        assert gated.status_code == 503
        assert int(gated.headers["retry-after"]) >= 1
        assert gated.json()["status"] == "starting"
        page = client.get("/orders", headers={"accept": "text/html"})
        assert page.status_code == 503
        assert "shop" in page.text
        assert "16" in page.text
        svc.release()
        assert client.portal.call(until_ready, svc.boot)  # type: ignore[union-attr]
        assert client.get("/orders").json() == {"orders": "hello"}
        assert client.get("/readyz").text == "ok"
        assert client.get("/startupz").text == "ok"
        status = client.get("/status")
        assert status.headers["content-type"] == "application/health+json"
        assert status.json()["status"] == "pass"
    assert log == ["app startup", "app shutdown ready=False"]
    assert svc.log == ["teardown ready=False"]


def test_lifespan_alone_without_an_inner_lifespan() -> None:
    """Starlette(lifespan=lifespan(boot)) runs and tears down the boot with no app lifespan."""
    svc = Service()

    async def home(request: object) -> PlainTextResponse:
        return PlainTextResponse("home")

    app = Starlette(routes=[Route("/", home)], lifespan=lifespan(svc.boot))
    app.add_middleware(GateMiddleware, boot=svc.boot, exempt=["/static/"])
    with TestClient(app) as client:
        client.portal.call(until_running, svc.boot)  # type: ignore[union-attr]
        assert client.get("/").status_code == 503
        assert client.get("/static/app.css").status_code == 404  # exempt: the app answers
        svc.release()
        assert client.portal.call(until_ready, svc.boot)  # type: ignore[union-attr]
        assert client.get("/").text == "home"
    assert svc.log == ["teardown ready=False"]


def test_secrets_stay_out_of_the_gate_and_status() -> None:
    """A failing db whose reason carries a password shows *** in the gate and in /status."""
    svc = Service()

    async def refused() -> Transient:
        return Transient(f"connection refused (postgres://app:{SECRET}@127.0.0.1:5432/app)")

    svc.boot.dependency("cache", refused, recheck=None)
    app = FastAPI(lifespan=lifespan(svc.boot))
    app.add_middleware(GateMiddleware, boot=svc.boot)
    with TestClient(app) as client:
        client.portal.call(until_running, svc.boot)  # type: ignore[union-attr]
        for path, accept in (("/x", "text/html"), ("/x", "*/*"), ("/status", "*/*")):
            body = client.get(path, headers={"accept": accept}).text
            assert SECRET not in body


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_asgi_one_liner_with_fastapi_under_uvicorn(anyio_backend: str) -> None:
    """bootgate.http.asgi(boot, FastAPI()) behind a real uvicorn: gate, ready, ordered shutdown."""
    svc = Service()
    api = FastAPI()

    @api.get("/orders")
    async def orders() -> dict[str, int]:
        return {"orders": 3}

    server = uvicorn.Server(uvicorn.Config(asgi(svc.boot, api), lifespan="on", log_level="error"))
    sock = spare_port()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with sock:
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve, [sock])
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                await until_running(svc.boot)
                assert (await client.get("/orders")).status_code == 503
                assert (await client.get("/livez")).text == "ok"
                svc.release()
                assert await until_ready(svc.boot)
                assert (await client.get("/orders")).json() == {"orders": 3}
            server.should_exit = True
    assert svc.log == ["teardown ready=False"]


def test_no_framework_is_imported_by_bootgate_or_its_http_layer() -> None:
    """`import bootgate` and `bootgate.http` load none of the web frameworks."""
    code = (
        "import sys, bootgate, bootgate.http; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('fastapi', 'starlette', 'django', 'flask', 'werkzeug', 'aiohttp')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
