"""Starlette: the lifespan runs the boot, the Gate middleware answers probes and gates routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import anyio
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bootgate import Boot, StepContext
from bootgate.http import Gate
from bootgate.integrations.starlette import lifespan
from tests.http.helpers import served

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """uvicorn runs on asyncio only."""
    return "asyncio"


async def wait_ready(boot: Boot) -> bool:
    """Follow the boot's snapshots until it is ready or cannot become ready."""
    with anyio.fail_after(10):
        async for status in boot.subscribe():
            if status.ready or status.failed:
                break
    return boot.ready


async def test_starlette_app_behind_the_gate() -> None:
    """503 with the page while starting, the route once ready; shutdown in the right order."""
    go = anyio.Event()
    log: list[str] = []
    boot = Boot("shop", hooks=[])

    @boot.step
    async def migrations(ctx: StepContext) -> None:
        ctx.progress(1, 3, "0001_initial")
        await go.wait()

    @boot.step(requires=[migrations])
    def pool() -> Iterator[str]:
        yield "pool"
        log.append(f"pool closed, ready={boot.ready}")

    @asynccontextmanager
    async def own(app: Starlette) -> AsyncIterator[dict[str, str]]:
        log.append("app startup")
        yield {"greeting": "hello"}
        log.append(f"app shutdown, ready={boot.ready}")

    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{request.state.greeting} from the app")

    app = Starlette(
        routes=[Route("/", home)],
        lifespan=lifespan(boot, own),
        middleware=[Middleware(Gate, source=boot)],
    )
    async with served(app) as client:
        assert (await client.get("/livez")).text == "ok"
        assert (await client.get("/readyz")).status_code == 503
        page = await client.get("/", headers={"accept": "text/html"})
        assert page.status_code == 503
        assert "1/3 0001_initial" in page.text
        go.set()
        assert await wait_ready(boot)
        assert (await client.get("/")).text == "hello from the app"
        assert (await client.get("/status")).json()["status"] == "pass"
    assert log == [
        "app startup",
        "app shutdown, ready=False",
        "pool closed, ready=False",
    ]


async def test_lifespan_without_an_inner_one() -> None:
    """lifespan(boot) alone runs the boot and yields no state."""
    boot = Boot("svc", hooks=[])
    boot.step(name="noop")(lambda: None)
    app = Starlette(lifespan=lifespan(boot), middleware=[Middleware(Gate, source=boot)])
    async with served(app) as client:
        assert await wait_ready(boot)
        assert (await client.get("/readyz")).text == "ok"
        assert (await client.get("/nothing-here")).status_code == 404
    assert not boot.ready


def test_gate_middleware_refuses_unknown_options() -> None:
    """GateMiddleware (as add_middleware builds it) names a misspelt option and the nearest."""
    from bootgate import ConfigError
    from bootgate.integrations.starlette import GateMiddleware

    with pytest.raises(ConfigError, match=r"'exempts' \(did you mean 'exempt'\?\)"):
        GateMiddleware(Starlette(), Boot("svc", hooks=[]), exempts=["/x"])  # type: ignore[call-arg]
