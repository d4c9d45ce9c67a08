"""sd_notify over a real datagram socket, as systemd would receive it."""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest

from bootgate import Boot, PermanentError, Retry, StartupError, StepContext
from bootgate.integrations.systemd import SystemdNotify, errno_of
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
    messages = [m.split("\n")[0] if "EXTEND" in m else m for m in received(server)]
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


async def test_progress_extends_the_start_timeout(notify_socket: tuple[str, socket.socket]) -> None:
    """Each progress report during startup carries EXTEND_TIMEOUT_USEC; none after ready."""
    path, server = notify_socket
    boot, clock, _ = fake_boot("gateway")
    boot.add_hook(SystemdNotify(path, extend="45s"))

    @boot.step
    async def migrations(ctx: StepContext) -> None:
        for i in range(1, 3):
            await clock.sleep(10)
            ctx.progress(i, 2, f"Migration{i:04d}")

    async with clock.autojump(), boot.running():
        pass
    messages = received(server)
    extended = [m for m in messages if "EXTEND_TIMEOUT_USEC=" in m]
    assert extended == [
        "STATUS=migrations: 1/2 Migration0001\nEXTEND_TIMEOUT_USEC=45000000",
        "STATUS=migrations: 2/2 Migration0002\nEXTEND_TIMEOUT_USEC=45000000",
    ]
    assert messages.index(extended[-1]) < messages.index("READY=1\nSTATUS=gateway is ready")


async def test_a_failure_for_good_sends_errno_and_the_reason(
    notify_socket: tuple[str, socket.socket],
) -> None:
    """A dependency refused until its deadline: STATUS= with the reason, ERRNO=111."""
    path, server = notify_socket
    boot, clock, _ = fake_boot("gateway")
    boot.add_hook(SystemdNotify(path))
    boot.dependency("db", "tcp://127.0.0.1:1", retry=Retry(attempts=3, timeout=2), recheck=None)

    with pytest.raises(StartupError):
        async with clock.autojump(), boot.running():
            pass
    [failed] = [m for m in received(server) if "cannot start" in m]
    status, code = failed.split("\n")
    assert status.startswith("STATUS=gateway cannot start: db: failed: connection refused")
    assert code == f"ERRNO={errno.ECONNREFUSED}"


def test_errno_is_read_from_the_reason() -> None:
    """OS errors as bootgate words them map to their errno; other reasons to none."""
    assert errno_of("db: failed: connection refused (gave up after 7 attempts in 2s)") == 111
    assert errno_of("api: failed: timed out (gave up after 3 attempts)") == errno.ETIMEDOUT
    assert errno_of("password authentication failed for user app (28P01)") is None


async def test_watchdog_pings_at_half_the_period_while_live(
    notify_socket: tuple[str, socket.socket],
) -> None:
    """WATCHDOG=1 at half of WATCHDOG_USEC from the loop, until a critical node fails."""
    path, server = notify_socket
    boot = Boot("gateway", hooks=[SystemdNotify(path, watchdog_usec=40_000)])
    fail = anyio.Event()

    @boot.step(critical=True, retry=Retry(attempts=1, timeout=None))
    async def heart() -> None:
        await fail.wait()
        raise PermanentError("heart stopped")

    async with boot.running(wait=False):
        pings = await until(server, lambda m: m.count("WATCHDOG=1") >= 3)
        assert pings.count("WATCHDOG=1") >= 3
        fail.set()
        await until(server, lambda m: any("cannot start" in x for x in m))
        await anyio.sleep(0.1)  # a few periods (20 ms each) pass on the real clock
        received(server)
        await anyio.sleep(0.1)
        assert "WATCHDOG=1" not in received(server)  # not live: no more pings


def test_watchdog_follows_watchdog_pid(monkeypatch: pytest.MonkeyPatch) -> None:
    """$WATCHDOG_USEC counts only when $WATCHDOG_PID is unset or this process."""
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert SystemdNotify("/nonexistent")._watchdog_s == 2.0
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert SystemdNotify("/nonexistent")._watchdog_s is None
    monkeypatch.delenv("WATCHDOG_PID")
    monkeypatch.setenv("WATCHDOG_USEC", "nonsense")
    assert SystemdNotify("/nonexistent")._watchdog_s is None


async def until(
    server: socket.socket, done: Callable[[list[str]], bool], seconds: float = 5.0
) -> list[str]:
    """Datagrams collected until `done(all so far)` holds (bounded in time)."""
    messages: list[str] = []
    with anyio.fail_after(seconds):
        while not done(messages):
            await anyio.wait_readable(server)
            messages += received(server)
    return messages
