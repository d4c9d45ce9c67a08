"""No secret reaches any answer: probe text, status JSON, gate JSON, page, stream."""

from __future__ import annotations

import anyio
import pytest

from bootgate import Boot, FakeClock, PermanentError, ProbeResult, Retry, Transient
from bootgate.http import Gate

from .helpers import SECRET, Connection, echo_app, http_scope

pytestmark = pytest.mark.anyio

URL = f"postgres://app:{SECRET}@127.0.0.1:5432/app"


class LeakyProbe:
    """A probe whose display and reasons carry the password (as a careless probe might)."""

    display = URL

    async def __call__(self) -> ProbeResult:
        return Transient(f"could not connect to {URL} (password={SECRET})")


async def test_no_answer_contains_the_password() -> None:
    """Every endpoint, the gate in both forms and the stream show *** instead of the password."""
    boot = Boot("svc", clock=FakeClock(), hooks=[])
    boot.dependency("db", LeakyProbe(), recheck=None)

    @boot.step(retry=Retry(attempts=1))
    async def connect() -> None:
        raise PermanentError(f"login failed for {URL} token={SECRET}")

    gate = Gate(echo_app, boot)
    await boot.start(wait=False)
    try:
        await anyio.wait_all_tasks_blocked()
        bodies: list[bytes] = []
        for path, query, accept in [
            ("/livez", "verbose", ""),
            ("/readyz", "verbose", ""),
            ("/startupz", "", ""),
            ("/status", "", ""),
            ("/app", "", "application/json"),
            ("/app", "", "text/html"),
        ]:
            connection = Connection()
            scope = http_scope(path, query=query, headers=[("accept", accept)])
            await gate(scope, connection.receive, connection.send)
            bodies.append(connection.body())
        connection = Connection()
        async with anyio.create_task_group() as tg:
            tg.start_soon(gate, http_scope("/status/stream"), connection.receive, connection.send)
            await anyio.wait_all_tasks_blocked()
            connection.left.set()
        bodies.append(connection.body())
        for body in bodies:
            assert body
            assert SECRET.encode() not in body
        assert b"postgres://app:***@127.0.0.1:5432/app" in bodies[3]
        assert b"token=***" in bodies[3]
    finally:
        await boot.stop()
