"""Exclusive work across replicas: the lock protocol, the lease, and one attempt run under a lock.

A lock (`bootgate.locks.postgres`, `.redis`, `.file`, or any object with the `ExclusiveLock`
shape) is held by at most one process at a time. `run_exclusive` takes it, runs one attempt while
holding it, and gives it back. While it waits, it reports who holds the lock ("lock
gateway-migrations held by host-b pid 4121 for 12 s"), again each second as the time grows. If the
lock is lost while the attempt runs (the database connection that *is* the lock died, a lease was
not renewed in time), the attempt is cancelled and `LockLost` is raised: the work must not go on
believing it is alone.

`@boot.step(exclusive=lock)` runs each attempt of a step through `run_exclusive`
(`_step_attempts._locked`): the step is in phase `waiting`, with the holder, while it waits;
`ctx.fence` carries the lease's fencing token; `LockLost` is an ordinary error, so the step's
retry policy decides what comes next. The wait is not part of the step's `timeout`. For a
generator step the lock is held through its setup (until it yields).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

import anyio

from ._clock import Clock, SystemClock
from ._errors import BootgateError

T = TypeVar("T")

REPORT_EVERY = 1.0
"""Seconds between two reports of the same holder while waiting (the "for N s" grows)."""


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a lock, as far as a waiter can tell: "host-b pid 4121", held for 12 s."""

    host: str | None = None
    pid: int | None = None
    held_for: float | None = None
    """Seconds the holder has held the lock when this was observed (None: not known)."""
    label: str | None = None
    """What else is known, e.g. the application name of a session that is not bootgate's."""

    def __str__(self) -> str:
        parts = [self.host or "", f"pid {self.pid}" if self.pid is not None else ""]
        text = " ".join(p for p in parts if p) or "another process"
        return f"{text} ({self.label})" if self.label else text


def waiting_reason(name: str, holder: Holder | None, held_for: float | None = None) -> str:
    """The reason a waiter shows: "lock gateway-migrations held by host-b pid 4121 for 12 s"."""
    if holder is None:
        return f"waiting for lock {name} (holder unknown)"
    seconds = holder.held_for if held_for is None else held_for
    text = f"lock {name} held by {holder}"
    return text if seconds is None else f"{text} for {math.floor(max(seconds, 0.0))} s"


class LockLost(BootgateError):
    """Raised by `run_exclusive` when the lock was lost while the attempt ran; it was cancelled.

    Not a permanent error: the step's retry policy decides, and the next attempt waits for the
    lock again.
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"lock {name} was lost while the step ran ({reason}); step cancelled")


class Lease:
    """Proof that this process holds a lock, for as long as `lost` is False.

    A lock's keeper calls `lose(reason)` the moment it knows the lock is gone; whoever runs
    work under the lease is told through `on_lost` and cancels that work.
    """

    __slots__ = ("_callbacks", "fence", "name", "reason")

    def __init__(self, name: str, fence: int | None = None) -> None:
        self.name = name
        """The lock's name."""
        self.fence = fence
        """The fencing token of this tenure (larger than any earlier holder's), if the lock
        hands them out; a store that checks it refuses writes from a holder that was replaced."""
        self.reason: str | None = None
        """Why the lease was lost (None while it holds)."""
        self._callbacks: list[Callable[[], None]] = []

    @property
    def lost(self) -> bool:
        """True once the lock is known to be lost."""
        return self.reason is not None

    def lose(self, reason: str) -> None:
        """Mark the lease lost and notify `on_lost` callbacks (from the event loop's thread)."""
        if self.reason is not None:
            return
        self.reason = reason
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_lost(self, callback: Callable[[], None]) -> None:
        """Call `callback()` when the lease is lost (at once if it already is)."""
        if self.reason is not None:
            callback()
        else:
            self._callbacks.append(callback)


Seen = Callable[[Holder | None], None]
"""How a lock tells its waiter who holds it: called with each observation of the holder."""


class ExclusiveLock(Protocol):
    """A lock that at most one process holds at a time (bootgate.locks has three)."""

    @property
    def name(self) -> str:
        """The lock's name, as shown in waiting reasons."""
        ...

    def hold(self, seen: Seen) -> AbstractAsyncContextManager[Lease]:
        """Wait as long as it takes for the lock, then hold it for the block.

        While waiting, call `seen(holder)` whenever the holder is observed, at least every
        second or two. While held, watch the lock and call `lease.lose(reason)` as soon as it
        is lost. Leaving the block (normally, by error or by cancellation) releases the lock;
        cancelling the wait gives it up.
        """
        ...


class _Reporter:
    """Turns a lock's observations of its holder into one waiting reason per second."""

    def __init__(self, name: str, on_wait: Callable[[str], None], clock: Clock) -> None:
        self._name = name
        self._on_wait = on_wait
        self._clock = clock
        self._holder: Holder | None = None
        self._seen_at: float | None = None
        self._last = ""

    def seen(self, holder: Holder | None) -> None:
        self._holder = holder
        self._seen_at = self._clock.now()
        self.report()

    def report(self) -> None:
        if self._seen_at is None:
            return
        holder = self._holder
        held_for = None
        if holder is not None and holder.held_for is not None:
            held_for = holder.held_for + (self._clock.now() - self._seen_at)
        text = waiting_reason(self._name, holder, held_for)
        if text != self._last:
            self._last = text
            self._on_wait(text)

    async def every(self) -> None:
        while True:
            await self._clock.sleep(REPORT_EVERY)
            self.report()


async def run_exclusive(
    lock: ExclusiveLock,
    on_wait: Callable[[str], None],
    attempt: Callable[[Lease], Awaitable[T]],
    *,
    clock: Clock | None = None,
) -> T:
    """Run `attempt(lease)` while holding `lock`; report waits through `on_wait(reason)`.

    `on_wait` gets a line naming the holder whenever it changes, and at least each second
    while the holder keeps the lock ("... for 12 s"). If the lease is lost before the attempt
    has returned, the attempt is cancelled and `LockLost` is raised.
    """
    reporter = _Reporter(lock.name, on_wait, clock or SystemClock())
    async with background(reporter.every) as stop_reporting, lock.hold(reporter.seen) as lease:
        stop_reporting()
        with anyio.CancelScope() as scope:
            lease.on_lost(scope.cancel)
            try:
                result = await attempt(lease)
            except Exception as exc:
                if lease.lost:
                    raise LockLost(lock.name, lease.reason or "lost") from exc
                raise
        # A sync attempt cannot be interrupted; if the lease went while it ran, its work
        # may have overlapped another holder's, so it does not count.
        if scope.cancelled_caught or lease.lost:
            raise LockLost(lock.name, lease.reason or "lost")
        return result


@asynccontextmanager
async def background(task: Callable[[], Awaitable[object]]) -> AsyncIterator[Callable[[], None]]:
    """Run `task()` beside the block; the block gets a function that stops it early.

    The block's own exception leaves unchanged (not wrapped in an exception group), which is
    what lets a lock run its keeper beside the caller's work. `task` must not raise.
    """
    failure: Exception | None = None
    async with anyio.create_task_group() as tg:
        scope = anyio.CancelScope()

        async def run() -> None:
            with scope:
                await task()

        tg.start_soon(run)
        try:
            yield scope.cancel
        except Exception as exc:  # re-raised below, outside the task group, unwrapped
            failure = exc
        finally:
            scope.cancel()
    if failure is not None:
        raise failure
