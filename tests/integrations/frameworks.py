"""A small service for the framework tests: a db check and migrations the test releases.

The frameworks run their own event loops (test clients, servers in threads), so this service
runs on the real clock; nothing here sleeps: the test says when the db answers and when the
migrations finish, and waits for the snapshot that shows it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator

import anyio

from bootgate import Boot, ProbeResult, Ready, StepContext

SECRET = "hunter2"


class Service:
    """A "shop" whose migrations wait for `release()`; teardown records whether it was ready."""

    def __init__(self, name: str = "shop") -> None:
        self.boot = Boot(name, hooks=[])
        self.log: list[str] = []
        self._release = threading.Event()
        db = self.boot.dependency("db", self._probe, recheck=None)

        @self.boot.step(requires=[db])
        async def migrations(ctx: StepContext) -> AsyncIterator[None]:
            ctx.progress(16, 25, "Migration0016")
            # A thread event: the frameworks' loops live in other threads than the test. The
            # wait is abandoned on cancellation (shutdown) and ends by itself within 0.5 s.
            while not self._release.is_set():
                await anyio.to_thread.run_sync(self._release.wait, 0.5, abandon_on_cancel=True)
            yield
            self.log.append(f"teardown ready={self.boot.ready}")

    async def _probe(self) -> ProbeResult:
        return Ready()

    def release(self) -> None:
        """Let the migrations finish (from any thread)."""
        self._release.set()


async def until_ready(boot: Boot) -> bool:
    """Follow the boot's snapshots until it is ready or failed (at most 10 s)."""
    with anyio.move_on_after(10):
        async for status in boot.subscribe():
            if status.ready or status.failed:
                break
    return boot.ready


async def until_running(boot: Boot) -> None:
    """Follow the boot's snapshots until the migrations step is running (at most 10 s)."""
    with anyio.fail_after(10):
        async for status in boot.subscribe():
            if status.nodes["migrations"].progress is not None:
                return


def spare_port() -> socket.socket:
    """A listening loopback socket on a port the OS picked."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock
