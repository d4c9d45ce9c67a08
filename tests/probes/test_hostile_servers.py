"""Every protocol against servers that misbehave: a calm one-line answer, never an exception.

A small server on a spare loopback port plays one misbehaviour per connection: garbage,
a close before or in the middle of the handshake, a truncated answer, invalid UTF-8, a line
of 4 MiB without an end, silence. Then each probe meets the wrong protocol on the machine's
real servers. Both transports are tried: the blocking one (`check`) and the async probe. The
answer must be Transient or Permanent with one printable line, within its time bound.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

import anyio
import pytest

from bootgate import Permanent, Ready, Transient
from bootgate.probes import check, probe_for
from tests.servers import require_server

SCHEMES = ["http", "postgres", "mysql", "redis", "amqp", "nats", "mqtt"]
# What a well-behaved server would send first, cut short: a truncated handshake.
OPENINGS = {
    "http": b"HTTP/1.1 200 OK\r\nContent-Len",
    "postgres": b"R\x00\x00\x00\x08\x00\x00",
    "mysql": b"\x4a\x00\x00\x00\x0a5.7",
    "redis": b"+PO",
    "amqp": b"\x01\x00\x00\x00\x00\x01",
    "nats": b'INFO {"server_id":"x","ver',
    "mqtt": b"\x20",
}
Behaviour = Callable[[socket.socket, str], None]


def _garbage(conn: socket.socket, scheme: str) -> None:
    conn.sendall(bytes(range(256)) * 4)


def _close_at_once(conn: socket.socket, scheme: str) -> None:
    """Accept, then close without a byte."""


def _truncated(conn: socket.socket, scheme: str) -> None:
    conn.sendall(OPENINGS[scheme])


def _invalid_utf8(conn: socket.socket, scheme: str) -> None:
    conn.sendall(b"\xff\xfe\xfd INFO \xc3\x28 -ERR \xe2\x82\r\n" * 4)


def _oversized_line(conn: socket.socket, scheme: str) -> None:
    chunk = b"A" * 65536
    try:
        for _ in range(64):  # 4 MiB, no line end
            conn.sendall(chunk)
    except OSError:
        pass  # the probe hung up, as it should


def _reset(conn: socket.socket, scheme: str) -> None:
    conn.sendall(OPENINGS[scheme][:2])
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


def _silence(conn: socket.socket, scheme: str) -> None:
    time.sleep(1.5)


BEHAVIOURS: dict[str, Behaviour] = {
    "garbage": _garbage,
    "close at once": _close_at_once,
    "truncated handshake": _truncated,
    "invalid UTF-8": _invalid_utf8,
    "4 MiB line": _oversized_line,
    "reset mid-handshake": _reset,
    "silence": _silence,
}


class Hostile:
    """A loopback server that plays `behaviour` on every connection, in a thread."""

    def __init__(self, behaviour: Behaviour, scheme: str) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.behaviour = behaviour
        self.scheme = scheme
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._play, args=(conn,), daemon=True).start()

    def _play(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            self.behaviour(conn, self.scheme)

    def close(self) -> None:
        """Stop accepting."""
        self.closed = True
        self.listener.close()


@pytest.fixture(params=list(BEHAVIOURS))
def hostile(request: pytest.FixtureRequest) -> tuple[str, Behaviour]:
    """One misbehaviour (its name and how it plays)."""
    return request.param, BEHAVIOURS[request.param]


def target(scheme: str, port: int) -> str:
    """A target of `scheme` with credentials, on the loopback port."""
    path = {"http": "/healthz", "postgres": "/app", "redis": "/0", "amqp": "/", "mysql": "/app"}
    user = "" if scheme in ("http", "nats", "mqtt") else "app:secret-pw@"
    return f"{scheme}://{user}127.0.0.1:{port}{path.get(scheme, '')}"


def assert_calm(result: object, budget: float, took: float) -> None:
    """Not ready, one printable line of reason, and within the time it was given."""
    assert isinstance(result, Transient | Permanent), result
    assert result.reason.isprintable(), result.reason
    assert 0 < len(result.reason) < 300
    assert "secret-pw" not in result.reason
    assert took < budget + 1.0


@pytest.mark.parametrize("scheme", SCHEMES)
def test_blocking_check_stays_calm(scheme: str, hostile: tuple[str, Behaviour]) -> None:
    """`check` (the blocking transport) answers every misbehaviour with one calm line."""
    _, behaviour = hostile
    server = Hostile(behaviour, scheme)
    try:
        begun = time.monotonic()
        verdict = check(target(scheme, server.port), timeout=1.0)
        took = time.monotonic() - begun
    finally:
        server.close()
    assert not verdict.ready
    assert_calm(verdict.result(), 1.0, took)


@pytest.mark.anyio
@pytest.mark.parametrize("scheme", SCHEMES)
async def test_async_probe_stays_calm(scheme: str, hostile: tuple[str, Behaviour]) -> None:
    """The async probe (what waits use) answers every misbehaviour with one calm line."""
    _, behaviour = hostile
    server = Hostile(behaviour, scheme)
    try:
        probe = probe_for(target(scheme, server.port), attempt_timeout=1.0)
        begun = time.monotonic()
        with anyio.fail_after(5):
            result = await probe()
        took = time.monotonic() - begun
    finally:
        server.close()
    assert_calm(result, 1.0, took)


# Each probe against another protocol's real server on this machine.
WRONG_PROTOCOL = [
    ("redis", 4222, "NATS"),
    ("nats", 6379, "Redis"),
    ("postgres", 3306, "MariaDB"),
    ("mysql", 5432, "PostgreSQL"),
    ("amqp", 1883, "Mosquitto"),
    ("mqtt", 5672, "RabbitMQ"),
    ("http", 6379, "Redis"),
]


@pytest.mark.servers
@pytest.mark.parametrize(("scheme", "port", "server"), WRONG_PROTOCOL)
def test_the_wrong_protocol_on_the_port_is_one_line(scheme: str, port: int, server: str) -> None:
    """A probe that reaches another protocol's server says so calmly, on both transports."""
    require_server(port, server)
    url = target(scheme, port)
    begun = time.monotonic()
    verdict = check(url, timeout=2.0)
    assert_calm(verdict.result(), 2.0, time.monotonic() - begun)

    async def probe_once() -> object:
        with anyio.fail_after(5):
            return await probe_for(url, attempt_timeout=2.0)()

    begun = time.monotonic()
    result = anyio.run(probe_once)
    assert not isinstance(result, Ready)
    assert_calm(result, 2.0, time.monotonic() - begun)
