"""Snapshots handed from a boot's event-loop thread to request threads (WSGI, Django).

A follower task on the loop copies each snapshot into a `Mirror`; request threads read the
boot's O(1) ready flag and the mirrored snapshot, and never touch the engine's state while it
changes. They wait on the mirror (a condition variable), never on the loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import aclosing

from bootgate import Boot, Status


class Mirror:
    """The latest snapshot, handed from the loop thread to request threads."""

    def __init__(self, first: Status) -> None:
        self.latest = first
        self.ended = False
        self._changed = threading.Condition()

    def get(self) -> Status:
        """The latest snapshot."""
        return self.latest

    async def follow(self, boot: Boot) -> None:
        """Copy every snapshot of `boot` (runs on the loop thread)."""
        async with aclosing(boot.subscribe()) as snapshots:
            async for status in snapshots:
                with self._changed:
                    self.latest = status
                    self._changed.notify_all()
        with self._changed:
            self.ended = True
            self._changed.notify_all()

    def wait(self, until: Callable[[Status], bool], timeout: float) -> Status:
        """Block until `until(latest)` holds, the run ends, or `timeout` seconds pass."""
        with self._changed:
            self._changed.wait_for(lambda: self.ended or until(self.latest), timeout)
            return self.latest
