"""Fencing tokens: how a store refuses writes from a holder whose lease has already expired."""

from __future__ import annotations

from bootgate._errors import BootgateError


class StaleFenceError(BootgateError):
    """Raised when a write carries a fencing token older than the newest one issued or seen.

    The writer's lease expired (it paused, or lost its connection) and another process holds
    the lock now; the write must not happen. Not permanent: a retry waits for the lock again.
    """

    def __init__(self, name: str, fence: int | None, newest: int | None) -> None:
        self.name = name
        self.fence = fence
        self.newest = newest
        newer = f"; token {newest} was issued since" if newest is not None else ""
        super().__init__(f"fencing token {fence} of lock {name} is stale{newer}")


class FenceGate:
    """The check a store makes on each write: refuse a token older than the newest it has seen.

    Keep one per protected resource, next to the data (in a database, the same check is a
    `WHERE fence <= :token` on a guard row). `admit(ctx.fence)` before each write.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        """The lock whose tokens this gate checks (for the error message)."""
        self.newest: int | None = None
        """The largest token admitted so far."""

    def admit(self, fence: int | None) -> None:
        """Accept `fence` (and remember it as the newest) or raise StaleFenceError."""
        if fence is None:
            raise StaleFenceError(self.name, fence, self.newest)
        if self.newest is not None and fence < self.newest:
            raise StaleFenceError(self.name, fence, self.newest)
        self.newest = fence
