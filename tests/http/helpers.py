"""Drive ASGI apps by hand (scopes, receive, send) and a small service to point them at."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import uvicorn

from bootgate import Boot, FakeClock, ProbeResult, Ready, StepContext, Transient
from bootgate.http._types import ASGIApp, Message, Scope


@dataclass
class Reply:
    """A complete HTTP response as the app sent it."""

    status: int
    headers: dict[str, str]
    body: bytes
    messages: list[Message] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode()

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


def http_scope(
    path: str,
    *,
    method: str = "GET",
    query: str = "",
    headers: Iterable[tuple[str, str]] = (),
    root_path: str = "",
    client: tuple[str, int] | None = ("127.0.0.1", 50000),
) -> Scope:
    """An HTTP scope as an ASGI server would build it."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": root_path + path,
        "raw_path": (root_path + path).encode(),
        "root_path": root_path,
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": client,
        "server": ("127.0.0.1", 8000),
    }


class Connection:
    """One client connection: the request body, then a disconnect when the client leaves."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self._requested = False
        self.left = anyio.Event()
        self.new_message = anyio.Event()

    async def receive(self) -> Message:
        """What the server hands the app: the (empty) body, then http.disconnect."""
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.left.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        """Keep what the app sends."""
        self.sent.append(message)
        self.new_message.set()
        self.new_message = anyio.Event()

    def body(self) -> bytes:
        """Every body chunk sent so far."""
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")

    def reply(self) -> Reply:
        """The response sent so far."""
        start = self.sent[0]
        headers = {k.decode(): v.decode() for k, v in start["headers"]}
        return Reply(start["status"], headers, self.body(), self.sent)


async def call(
    app: ASGIApp,
    path: str,
    *,
    method: str = "GET",
    query: str = "",
    headers: Iterable[tuple[str, str]] = (),
    root_path: str = "",
    client: tuple[str, int] | None = ("127.0.0.1", 50000),
) -> Reply:
    """Make one request and return the complete response."""
    connection = Connection()
    scope = http_scope(
        path, method=method, query=query, headers=headers, root_path=root_path, client=client
    )
    await app(scope, connection.receive, connection.send)
    return connection.reply()


async def echo_app(scope: Scope, receive: Any, send: Any) -> None:
    """The application behind the gate: says which path it served."""
    if scope["type"] != "http":
        raise RuntimeError(f"echo_app does not do {scope['type']}")
    body = f"app {scope['path']}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


SECRET = "hunter2"


class Service:
    """A "gateway" on a fake clock: a db dependency the test answers for, and migrations
    that report progress and finish when the test says so."""

    def __init__(self, name: str = "gateway", *, optional_cache: bool = False) -> None:
        self.clock = FakeClock()
        self.boot = Boot(name, clock=self.clock, hooks=[])
        self.answer: ProbeResult = Transient(
            f"connection refused (postgres://app:{SECRET}@127.0.0.1:5432/app)"
        )
        self.release = anyio.Event()
        self.fail_migrations: Exception | None = None
        db = self.boot.dependency("db", self._probe, recheck=None)

        @self.boot.step(requires=[db])
        async def migrations(ctx: StepContext) -> None:
            ctx.progress(16, 25, "Migration0016")
            await self.release.wait()
            if self.fail_migrations is not None:
                raise self.fail_migrations

        if optional_cache:

            @self.boot.step(requires=[db], optional=True)
            async def cache() -> None:
                raise RuntimeError("cache backend down")

    async def _probe(self) -> ProbeResult:
        return self.answer

    async def settle(self) -> None:
        """Let every task run until all are blocked (no time passes)."""
        await anyio.wait_all_tasks_blocked()

    async def db_up(self) -> None:
        """Make the db answer, and let the next probe (after its backoff) find it."""
        self.answer = Ready()
        for _ in range(10):  # the backoff caps at 250 ms: one second covers the next attempt
            self.clock.advance(0.1)
            await self.settle()
            if self.boot.status().nodes["db"].ok:
                return
        raise AssertionError("db did not become ready")

    async def finish(self) -> None:
        """Bring the service all the way to ready."""
        await self.db_up()
        self.release.set()
        await self.settle()
        assert self.boot.ready


def parse_events(body: bytes) -> list[dict[str, str]]:
    """Split an event stream into its events and comments (comments under the key ":")."""
    events = []
    for block in body.decode().split("\n\n"):
        if not block:
            continue
        event: dict[str, str] = {}
        for line in block.split("\n"):
            key, _, value = line.partition(":")
            event[key or ":"] = value.removeprefix(" ")
        events.append(event)
    return events


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    """Serve `app` with uvicorn (lifespan on) on a spare loopback port; yield a client for it.

    The socket listens before the server starts, so no request races the server's start;
    leaving the block shuts the server down (and with it the app's lifespan).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with sock:
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve, [sock])
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                yield client
            server.should_exit = True
