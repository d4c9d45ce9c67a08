"""What the HTTP layer needs from a running service: a flag, a snapshot, and a feed of changes."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
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


#: Answers read a snapshot at the last multiple of this after its change: "next in 0.4 s" is
#: shown to a tenth anyway, and every request within one tenth then shares one reading (its
#: chains and its encoded document are made once).
READING_STEP = 0.1


def present(source: StatusSource, get: Callable[[], Status] | None = None) -> Callable[[], Status]:
    """A getter of the source's snapshot (or of `get()`) read at the present, on the clock of
    the source (its `clock` attribute, as a Boot has), to the last tenth of a second after its
    change: so what an answer says about time, an ETA or a deadline, is true when it is sent.
    Without a clock, the snapshot as it is."""
    get = get or source.status
    now = getattr(getattr(source, "clock", None), "now", None)
    if now is None:
        return get
    getter = get

    def current() -> Status:
        status = getter()
        if status.began_clock is None:
            return status
        since = now() - status.began_clock - status.at_s
        # (a reading made on a tenth's boundary counts as that tenth, whatever the rounding)
        tenths = math.floor(max(since, 0.0) / READING_STEP + 1e-6)
        return status.at(status.at_s + tenths * READING_STEP) if tenths else status

    return current
