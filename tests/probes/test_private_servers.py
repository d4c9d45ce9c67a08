"""Waiting for servers that appear late, vanish, or refuse: private instances on spare ports.

A server is started once the waiter has seen it refused a few times (driven by the waiter's
own events, not by sleeping), so every test covers the "not there yet" path for real.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bootgate import Permanent, PermanentError, Ready, Retry, Transient, WaitEvent, wait_for
from bootgate.probes import probe_for
from tests.servers import Postgres, Server, mosquitto, nats, redis

pytestmark = [pytest.mark.anyio, pytest.mark.servers, pytest.mark.slow]
PATIENT = Retry(timeout=30.0)


def start_after(refusals: int, start: Callable[[], object]) -> Callable[[WaitEvent], None]:
    """An on_event hook that starts the server after `refusals` refused attempts."""
    seen = []

    def hook(event: WaitEvent) -> None:
        if event.kind == "attempt":
            seen.append(event)
            if len(seen) == refusals:
                start()

    return hook


@pytest.fixture
def anyio_backend() -> str:
    """Real servers, real time: asyncio is enough here (the logic runs on both elsewhere)."""
    return "asyncio"


@pytest.fixture
def stop_later() -> Iterator[list[Server]]:
    """Servers to stop after the test."""
    servers: list[Server] = []
    yield servers
    for server in servers:
        server.stop()


async def test_postgres_late_start_then_stop_then_bad_password(postgres: Postgres) -> None:
    """Waiting sees refusals, then SELECT 1; a stopped server is transient; a bad password not."""
    postgres.port = 0
    postgres.start()
    postgres.stop()  # the port is now ours to wait on, and free
    events: list[WaitEvent] = []

    def hook(event: WaitEvent) -> None:
        events.append(event)
        if len(events) == 3:
            postgres.start(postgres.port)

    waited = await wait_for([postgres.url()], retry=PATIENT, on_event=hook)
    assert waited[0].attempts > 3
    assert events[0].reason == "connection refused"
    assert events[-1].kind == "ready"
    bad = await probe_for(postgres.url(password="wrong"))()
    assert isinstance(bad, Permanent)
    assert "28P01" in bad.reason
    with pytest.raises(PermanentError, match="28P01"):
        await wait_for([postgres.url(password="wrong")], retry=PATIENT)
    postgres.stop()
    assert await probe_for(postgres.url())() == Transient("connection refused")


async def test_redis_late_start_and_wrong_password(
    tmp_path: Path, stop_later: list[Server]
) -> None:
    """Redis is waited for until PING answers after AUTH; a wrong password is permanent."""
    server = redis(tmp_path, password="pw")
    stop_later.append(server)
    url = f"redis://:pw@127.0.0.1:{server.port}/0"
    waited = await wait_for([url], retry=PATIENT, on_event=start_after(3, server.start))
    assert waited[0].target == f"redis://:***@127.0.0.1:{server.port}/0"
    wrong = await probe_for(f"redis://:nope@127.0.0.1:{server.port}")()
    assert isinstance(wrong, Permanent)
    server.stop()
    assert isinstance(await probe_for(url)(), Transient)


async def test_nats_late_start_and_authorization(stop_later: list[Server]) -> None:
    """NATS is ready on PONG; a wrong password is an authorization violation, permanent."""
    server = nats(password="pw")
    stop_later.append(server)
    url = f"nats://app:pw@127.0.0.1:{server.port}"
    await wait_for([url], retry=PATIENT, on_event=start_after(3, server.start))
    wrong = await probe_for(f"nats://app:nope@127.0.0.1:{server.port}")()
    assert isinstance(wrong, Permanent)
    assert "authorization" in wrong.reason.lower()


async def test_mosquitto_late_start_and_loss(tmp_path: Path, stop_later: list[Server]) -> None:
    """MQTT is ready on an accepting CONNACK and transient again once the broker is gone."""
    server = mosquitto(tmp_path)
    stop_later.append(server)
    url = f"mqtt://127.0.0.1:{server.port}"
    await wait_for([url], retry=PATIENT, on_event=start_after(3, server.start))
    server.stop()
    assert isinstance(await probe_for(url)(), Transient)


class _Flaky(BaseHTTPRequestHandler):
    """503 for the first `fail` requests, then 200; counts requests."""

    fail = 3
    count = 0

    def do_GET(self) -> None:
        type(self).count += 1
        status = 503 if type(self).count <= self.fail else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


async def test_http_503_then_200() -> None:
    """An endpoint answering 503 is waited for until 200; no ready before the first 200."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/healthz"
        events: list[WaitEvent] = []
        await wait_for([url], retry=PATIENT, on_event=events.append)
        reasons = [e.reason for e in events if e.kind == "attempt"]
        assert reasons == ["HTTP 503"] * 3
        assert _Flaky.count == 4
        assert isinstance(await probe_for(url, status="204")(), Permanent)
        assert isinstance(await probe_for(url)(), Ready)
    finally:
        server.shutdown()
        server.server_close()
