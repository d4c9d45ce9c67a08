"""What the HTTP layer needs from a running service: a flag, a snapshot, and a feed of changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from bootgate import Status


@runtime_checkable
class StatusSource(Protocol):
    """Anything that reports startup state; `bootgate.Boot` is one.

    `ready` must be O(1) (it is read on every request), `status()` returns an immutable snapshot,
    and `subscribe()` yields the current snapshot and then each newer one until the run ends.
    """

    @property
    def ready(self) -> bool:
        """True when every required node is ready and the service is not shutting down."""
        ...

    def status(self) -> Status:
        """The current immutable snapshot."""
        ...

    def subscribe(self) -> AsyncIterator[Status]:
        """The current snapshot, then each change (a slow reader skips to the latest)."""
        ...
