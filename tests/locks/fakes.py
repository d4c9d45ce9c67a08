"""An in-memory lock that implements the ExclusiveLock protocol, for the core's logic tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from bootgate import Clock
from bootgate._exclusive import Holder, Lease, Seen


class MemoryLock:
    """One lock shared by the tasks of a test; waiters see the holder every half second."""

    def __init__(self, name: str, clock: Clock) -> None:
        self.name = name
        self.clock = clock
        self.holder: Lease | None = None
        self.taken_at = 0.0
        self.freed = anyio.Event()
        self.tenures = 0

    @asynccontextmanager
    async def hold(self, seen: Seen) -> AsyncIterator[Lease]:
        """Wait until free (reporting the holder), then hold."""
        while self.holder is not None:
            seen(Holder("host-b", 4121, self.clock.now() - self.taken_at))
            with self.clock.move_on_after(0.5):
                await self.freed.wait()
        self.tenures += 1
        lease = self.holder = Lease(self.name, fence=self.tenures)
        self.taken_at = self.clock.now()
        self.freed = anyio.Event()
        try:
            yield lease
        finally:
            self.holder = None
            self.freed.set()
