"""systemd notify: READY=1, STATUS= and STOPPING=1 arrive on a real NOTIFY_SOCKET."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bootgate import Boot, FakeClock, Permanent, Ready, StartupError, StepContext, Transient
from bootgate.integrations.systemd import SystemdNotify

pytestmark = pytest.mark.anyio


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    """A datagram socket standing in for systemd's, bound in a temporary directory."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)
    yield path, sock
    sock.close()


def received(sock: socket.socket) -> list[str]:
    """Every datagram waiting on the socket."""
    messages = []
    while True:
        try:
            messages.append(sock.recv(4096).decode())
        except BlockingIOError:
            return messages


async def test_ready_status_and_stopping(
    notify_socket: tuple[str, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progress and retries become STATUS=, readiness READY=1, shutdown STOPPING=1."""
    path, sock = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    clock = FakeClock()
    hook = SystemdNotify()
    boot = Boot("svc", clock=clock, hooks=[hook])
    answers = iter([Transient("connection refused to redis://:hunter2@127.0.0.1:6379")])

    async def cache() -> Transient | Ready:
        return next(answers, None) or Ready()

    dep = boot.dependency("cache", cache, recheck=None)

    @boot.step(requires=[dep])
    async def migrations(ctx: StepContext) -> None:
        ctx.progress(1, 2, "0001_initial")

    async with clock.autojump(), boot.running():
        pass
    messages = received(sock)
    ready = messages.index("READY=1\nSTATUS=ready")
    assert any(m.startswith("STATUS=starting: cache ") for m in messages[:ready])
    assert "STATUS=starting: migrations 1/2 0001_initial" in messages[:ready]
    assert messages[-1] == "STOPPING=1\nSTATUS=stopping"
    assert not any("hunter2" in m for m in messages)


async def test_failure_is_reported_in_status(notify_socket: tuple[str, socket.socket]) -> None:
    """A startup that cannot complete says why in STATUS= and never sends READY=1."""
    path, sock = notify_socket
    clock = FakeClock()
    boot = Boot("svc", clock=clock, hooks=[SystemdNotify(path)])

    async def db() -> Permanent:
        return Permanent("password authentication failed")

    boot.dependency("db", db, recheck=None)
    with pytest.raises(StartupError):
        async with clock.autojump(), boot.running():
            pass
    messages = received(sock)
    assert "READY=1" not in "".join(messages)
    assert any(m.startswith("STATUS=failed: ") and "password authentication" in m for m in messages)


def test_abstract_socket_and_absent_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "@name" addresses the abstract namespace; without NOTIFY_SOCKET the hook is a no-op."""
    name = f"bootgate-test-{id(monkeypatch)}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        hook = SystemdNotify(f"@{name}")
        assert hook.notify("STATUS=hello")
        assert sock.recv(100) == b"STATUS=hello"
        monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    quiet = SystemdNotify()
    assert not quiet.enabled
    assert not quiet.notify("READY=1")
    gone = SystemdNotify("/nonexistent/notify")
    assert not gone.notify("READY=1")  # systemd went away: never raises


def test_long_status_lines_are_cut() -> None:
    """STATUS= stays one short line, whatever the message."""
    from bootgate.integrations.systemd import _status

    line = _status("x" * 500 + "\nsecond line")
    assert len(line) == len("STATUS=") + 200
    assert "\n" not in line
