"""The one time seam: everything in bootgate that reads time or waits goes through a Clock.

Production code uses `SystemClock`; tests use `FakeClock`, whose time moves only when told to
(or, inside `autojump()`, whenever every task is blocked), so logic tests never sleep for real.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from types import TracebackType
from typing import Protocol

import anyio
import anyio.lowlevel

from ._tasks import task_group

_offloaded = 0
"""How many worker-thread calls are running now; a fake clock must not jump over real work."""


@contextmanager
def offloaded() -> Iterator[None]:
    """Mark a span in which a worker thread does real work (see FakeClock.autojump)."""
    global _offloaded
    _offloaded += 1
    try:
        yield
    finally:
        _offloaded -= 1


_SETTLE_CHECKPOINTS = 8
"""Scheduling rounds a fake clock's autojump lets pass before it asks whether all tasks wait."""


class TimeoutScope(Protocol):
    """A context manager around a cancel scope that may swallow its own cancellation."""

    def __enter__(self) -> anyio.CancelScope: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> bool: ...


class Clock(Protocol):
    """What bootgate needs from time: a monotonic reading, a sleep, and a timeout scope."""

    def now(self) -> float:
        """Return monotonic seconds; only differences between readings mean anything."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time (a checkpoint when it is zero or less)."""
        ...

    def move_on_after(self, seconds: float | None) -> TimeoutScope:
        """A cancel scope that cancels itself after `seconds` of this clock's time (None: never)."""
        ...


class SystemClock:
    """The real clock: `time.monotonic` and anyio's own sleeps and deadlines."""

    def now(self) -> float:
        """Return `time.monotonic()`."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        await anyio.sleep(max(seconds, 0.0))

    def move_on_after(self, seconds: float | None) -> TimeoutScope:
        """Return `anyio.move_on_after(seconds)`."""
        return anyio.move_on_after(seconds)


class _Timer:
    __slots__ = ("active", "callback", "deadline")

    def __init__(self, deadline: float, callback: Callable[[], None]) -> None:
        self.deadline = deadline
        self.callback = callback
        self.active = True


class _FakeTimeout:
    """A cancel scope whose deadline is a FakeClock timer, removed when the scope is left."""

    def __init__(self, clock: FakeClock, seconds: float | None) -> None:
        self._clock = clock
        self._seconds = seconds
        self._scope = anyio.CancelScope()
        self._timer: _Timer | None = None

    def __enter__(self) -> anyio.CancelScope:
        if self._seconds is not None:
            self._timer = self._clock._add(self._seconds, self._scope.cancel)
        return self._scope.__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if self._timer is not None:
            self._timer.active = False
        return self._scope.__exit__(exc_type, exc, tb)


class FakeClock:
    """A clock for tests: time stands still until `advance()`, or jumps while in `autojump()`."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._timers: list[tuple[float, int, _Timer]] = []
        self._seq = itertools.count()
        self._new_timer: anyio.Event | None = None

    def now(self) -> float:
        """Return the fake time."""
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Wait until the fake time has advanced by `seconds`."""
        if seconds <= 0:
            await anyio.lowlevel.checkpoint()
            return
        woken = anyio.Event()
        timer = self._add(seconds, woken.set)
        try:
            await woken.wait()
        finally:
            timer.active = False

    def move_on_after(self, seconds: float | None) -> TimeoutScope:
        """A cancel scope that is cancelled once the fake time has advanced by `seconds`."""
        return _FakeTimeout(self, seconds)

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, firing every timer that falls due on the way."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        target = self._now + seconds
        while self._timers and self._timers[0][0] <= target:
            deadline, _, timer = heapq.heappop(self._timers)
            if timer.active:
                self._now = max(self._now, deadline)
                timer.active = False
                timer.callback()
        self._now = target

    @asynccontextmanager
    async def autojump(self) -> AsyncIterator[FakeClock]:
        """Within this block, whenever every task is blocked, jump to the next timer."""
        async with task_group() as tg:  # the block's own exception comes out unwrapped
            tg.start_soon(self._jump_forever)
            try:
                yield self
            finally:
                tg.cancel_scope.cancel()

    async def _jump_forever(self) -> None:
        while True:
            # Let a chain of wake-ups (a timer wakes a task that wakes another) run out first:
            # anyio's asyncio `wait_all_tasks_blocked` sleeps 0.1 s of real time whenever it
            # finds a task still runnable, which made long simulated waits take real minutes.
            for _ in range(_SETTLE_CHECKPOINTS):
                await anyio.lowlevel.checkpoint()
            await anyio.wait_all_tasks_blocked()
            if _offloaded:
                # Tasks wait on a worker thread doing real work: let it finish before jumping.
                await anyio.sleep(0.0005)
                continue
            deadline = self._next_deadline()
            if deadline is None:
                self._new_timer = anyio.Event()
                await self._new_timer.wait()
            else:
                self.advance(deadline - self._now)

    def _next_deadline(self) -> float | None:
        while self._timers and not self._timers[0][2].active:
            heapq.heappop(self._timers)
        return self._timers[0][0] if self._timers else None

    def _add(self, seconds: float, callback: Callable[[], None]) -> _Timer:
        timer = _Timer(self._now + seconds, callback)
        heapq.heappush(self._timers, (timer.deadline, next(self._seq), timer))
        if self._new_timer is not None:
            self._new_timer.set()
        return timer
