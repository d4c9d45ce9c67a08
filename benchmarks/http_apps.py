"""The ASGI apps the HTTP benchmarks serve, one factory each (uvicorn --factory).

All answer a tiny plain-text body so that the figures compare the routing and checks, not the
payload. The PostgreSQL one runs `SELECT 1` per request on a pooled connection, as common
health-check libraries do; it reads BENCH_DATABASE_URL (default: the local server).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import bootgate

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _text(send: Send, body: bytes, status: int = 200) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def bare_app(scope: Scope, receive: Receive, send: Send) -> None:
    """A route that answers "ok" and does nothing else."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "http":
        await _text(send, b"ok")


def bare() -> ASGIApp:
    """The bare app."""
    return bare_app


def _boot() -> bootgate.Boot:
    boot = bootgate.Boot("bench", hooks=[])

    @boot.step
    async def data() -> None:
        pass

    return boot


def readyz() -> ASGIApp:
    """bootgate's endpoints and gate around the bare app (benchmarks hit /readyz)."""
    from bootgate.http import asgi

    return asgi(_boot(), bare_app)


def gated() -> ASGIApp:
    """The bare app behind bootgate's gate, after ready (benchmarks hit /)."""
    return readyz()


def select1() -> ASGIApp:
    """A health route that runs SELECT 1 on PostgreSQL for every request."""
    from psycopg_pool import AsyncConnectionPool

    pool: AsyncConnectionPool[Any] | None = None

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal pool
        if scope["type"] == "lifespan":
            pool = AsyncConnectionPool(DATABASE_URL, min_size=4, max_size=4, open=False)
            await pool.open(wait=True)
            try:
                await _lifespan(receive, send)
            finally:
                await pool.close()
            return
        if scope["type"] != "http" or pool is None:
            return
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")
        await _text(send, b"ok")

    return app


def select1_connect() -> ASGIApp:
    """A health route that connects to PostgreSQL and runs SELECT 1 for every request."""
    import psycopg

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        async with await psycopg.AsyncConnection.connect(DATABASE_URL) as conn:
            await conn.execute("SELECT 1")
        await _text(send, b"ok")

    return app


def sse_fanout() -> ASGIApp:
    """A service whose one step finishes when POST-less GET /release arrives (exempt path)."""
    import anyio

    release = anyio.Event()
    boot = bootgate.Boot("fanout", hooks=[])

    @boot.step
    async def held() -> None:
        await release.wait()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/release":
            release.set()
            await _text(send, b"released")

    from bootgate.http import asgi

    return asgi(boot, app, exempt=["/release"])
