"""Waiting on a bootgate service follows its status stream: one request, readiness as an event."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import anyio
import pytest

import bootgate
from bootgate import Boot, FollowingProbe, Permanent, PermanentError, Ready, Retry
from bootgate.http import asgi
from bootgate.probes import probe_for
from bootgate.probes._async import HandshakeProbe
from bootgate.probes.follow import FollowHandshake
from bootgate.probes.http import HttpHandshake
from tests.http.helpers import served

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """uvicorn serves on asyncio."""
    return "asyncio"


class Counted:
    """An ASGI app counting the HTTP requests that reach the server (health paths included)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


def gateway(release: anyio.Event, fail: bool = False) -> Boot:
    """A boot whose only step finishes when `release` is set (or fails for good)."""
    boot = Boot("gateway", hooks=[])

    @boot.step(retry=Retry(attempts=1, timeout=None))
    async def migrations() -> None:
        await release.wait()
        if fail:
            raise PermanentError("relation already exists")

    return boot


def protocol(probe: object) -> object:
    """The Handshake a probe from probe_for runs."""
    assert isinstance(probe, HandshakeProbe)
    return probe.protocol


def test_bootgate_endpoints_are_followed_other_urls_polled() -> None:
    """/readyz and /status targets get the following probe; others, or a status set, do not."""
    assert isinstance(protocol(probe_for("http://gw:8000/readyz")), FollowHandshake)
    assert isinstance(probe_for("https://gw/api/status"), FollowingProbe)
    assert not isinstance(probe_for("http://gw:8000/healthz"), FollowingProbe)
    assert type(protocol(probe_for("http://gw:8000/healthz"))) is HttpHandshake
    assert type(protocol(probe_for("http://gw:8000/readyz", status="200"))) is HttpHandshake


async def test_one_request_then_ready_as_an_event() -> None:
    """The waiter sends a single request, and returns when the service becomes ready."""
    release = anyio.Event()
    counted = Counted(asgi(gateway(release)))
    async with served(counted) as client:
        url = f"{client.base_url}/readyz"
        async with anyio.create_task_group() as tg:
            done = anyio.Event()

            async def wait() -> None:
                waited = await bootgate.wait_for([url])
                assert waited[0].detail == "gateway is ready"
                done.set()

            tg.start_soon(wait)
            with anyio.fail_after(5):  # the waiter connected; the service is still starting
                while not counted.paths:
                    await anyio.sleep(0.01)
            await anyio.sleep(0.3)
            assert not done.is_set()
            release.set()
            with anyio.fail_after(5):
                await done.wait()
    assert counted.paths == ["/status/stream"]


async def test_a_service_that_cannot_start_is_a_permanent_failure() -> None:
    """When the followed service fails for good, the waiter fails fast with its reason."""
    release = anyio.Event()
    release.set()
    async with served(asgi(gateway(release, fail=True))) as client:
        probe = probe_for(f"{client.base_url}/status")
        with anyio.fail_after(10):
            result = await probe()
            while isinstance(result, Ready):  # pragma: no cover - the step fails at once
                result = await probe()
    assert isinstance(result, Permanent)
    assert "gateway cannot start" in result.reason
    assert "relation already exists" in result.reason


async def test_a_plain_server_on_such_a_path_gets_one_plain_get() -> None:
    """A /readyz that is not a bootgate service is checked by its HTTP status, as usual."""

    async def plain(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async with served(plain) as client:
        result = await probe_for(f"{client.base_url}/readyz")()
    assert isinstance(result, Ready)
