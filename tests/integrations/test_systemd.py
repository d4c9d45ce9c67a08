"""sd_notify over a real datagram socket, as systemd would receive it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bootgate import PermanentError, Retry, StartupError, StepContext
from bootgate.integrations.systemd import SystemdNotify
from tests.core.helpers import fake_boot

pytestmark = pytest.mark.anyio


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    """A bound AF_UNIX datagram socket standing in for systemd's $NOTIFY_SOCKET."""
    path = str(tmp_path / "notify")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.setblocking(False)
    yield path, server
    server.close()


def received(server: socket.socket) -> list[str]:
    """Every datagram waiting on the socket."""
    messages = []
    while True:
        try:
            messages.append(server.recv(4096).decode())
        except BlockingIOError:
            return messages


async def test_status_then_ready_then_stopping(notify_socket: tuple[str, socket.socket]) -> None:
    """Progress goes out as STATUS=, readiness as READY=1, shutdown as STOPPING=1."""
    path, server = notify_socket
    boot, clock, _ = fake_boot("gateway")
    boot.add_hook(SystemdNotify(path))

    @boot.step
    async def migrations(ctx: StepContext) -> None:
        for i in range(1, 3):
            ctx.progress(i, 2, f"Migration{i:04d}")

    async with clock.autojump(), boot.running():
        pass
    messages = received(server)
    assert "STATUS=migrations: 1/2 Migration0001" in messages
    ready = messages.index("READY=1\nSTATUS=gateway is ready")
    stopping = messages.index("STOPPING=1\nSTATUS=gateway is stopping")
    assert messages.index("STATUS=migrations: 2/2 Migration0002") < ready < stopping


async def test_failure_is_reported_as_status(notify_socket: tuple[str, socket.socket]) -> None:
    """When startup cannot complete, systemd sees why and never sees READY=1."""
    path, server = notify_socket
    boot, clock, _ = fake_boot("gateway")
    boot.add_hook(SystemdNotify(path))

    @boot.step(retry=Retry(attempts=1, timeout=None))
    async def config() -> None:
        raise PermanentError("DATABASE_URL is not set")

    with pytest.raises(StartupError):
        async with clock.autojump(), boot.running():
            pass
    messages = received(server)
    assert not any(m.startswith("READY=1") for m in messages)
    assert any(
        m.startswith("STATUS=gateway cannot start:") and "DATABASE_URL is not set" in m
        for m in messages
    )


def test_abstract_socket_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    """A NOTIFY_SOCKET starting with @ names an abstract socket."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = f"bootgate-test-{id(server)}"
    server.bind("\0" + name)
    try:
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        notifier = SystemdNotify()
        assert notifier.enabled
        notifier.notify("READY=1")
        notifier.close()
        assert server.recv(64) == b"READY=1"
    finally:
        server.close()


def test_without_notify_socket_it_does_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Outside systemd the hook is disabled and silent; a vanished socket is logged once."""
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not SystemdNotify().enabled
    SystemdNotify().notify("READY=1")
    gone = SystemdNotify("/nonexistent/notify")
    gone.notify("READY=1")
    gone.notify("READY=1")
    gone.close()
    assert caplog.text.count("systemd notify") == 1
