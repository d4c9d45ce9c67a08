"""What a running step can see and say: its attempt, its requirements' values, its progress."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any


class StepContext:
    """Handed to a step's function on each attempt (if the function takes an argument)."""

    def __init__(
        self,
        service: str,
        name: str,
        attempt: int,
        values: Mapping[str, object],
        report: Callable[[float, float | None, str], None],
    ) -> None:
        self.service = service
        """The name of the Boot this step belongs to."""
        self.name = name
        """This step's name."""
        self.attempt = attempt
        """1 on the first attempt, 2 on the first retry, and so on."""
        self.fence: int | None = None
        """The fencing token of the lock held for this attempt (an exclusive step on a lock
        that gives one, such as `bootgate.locks.redis`); None otherwise. Pass it to the
        store you write to, so a write from a holder whose lease ran out is refused."""
        self._values = values
        self._report = report
        self._loop_thread = threading.get_ident()

    def progress(self, done: float, total: float | None = None, message: str = "") -> None:
        """Report progress, e.g. `ctx.progress(16, 25, "Migration0016")`; an ETA is derived.

        `total` None (or `math.inf`) means unknown: no percent, no ETA, shown as "16/?".
        `done` must be a finite number >= 0 and `total` a number >= 0; NaN or a negative
        number raises ValueError here. Safe to call from a sync step (which runs in a worker
        thread) and from async code.
        """
        if threading.get_ident() == self._loop_thread:
            self._report(done, total, message)
        else:
            import anyio.from_thread  # only sync steps in worker threads need it

            anyio.from_thread.run_sync(self._report, done, total, message)

    def result(self, name: str) -> Any:
        """The value a ready node produced (what its function returned or yielded)."""
        try:
            return self._values[name]
        except KeyError:
            raise LookupError(
                f"{self.name!r} asked for the result of {name!r}, which is not ready "
                f"(add it to requires= so {self.name!r} runs after it)"
            ) from None
