"""Worker threads the run never loses track of.

A thread cannot be cancelled. When a sync step's attempt times out, or shutdown cancels it,
the code that waited for its thread stops waiting, but the thread runs on. A retry started
then would run beside it (a migration applied twice at once), and a teardown started then
would pull resources from under it. So each call runs in a task of its own, shielded, that
sets `done` when the thread has returned: waiters may give up on it, the run may not. Only
shutdown, once its grace period has run out, abandons the threads still running.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import anyio
import anyio.abc
import anyio.to_thread

from ._clock import Clock, offloaded


class ThreadCall:
    """One call of a sync function in a worker thread; `done` is set once it has returned (or
    was abandoned at the end of the grace period)."""

    def __init__(self, name: str) -> None:
        self.name = name
        """The node whose code runs in the thread."""
        self.done = anyio.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        self.abandoned = False
        """True if shutdown stopped waiting for the thread before it returned."""
        self._scope = anyio.CancelScope(shield=True)

    async def run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """The watching task's body: run `fn(*args)` in a thread and keep its outcome."""
        try:
            with offloaded(), self._scope:  # offloaded: a fake clock must not jump over it
                try:
                    self.value = await anyio.to_thread.run_sync(
                        functools.partial(fn, *args), abandon_on_cancel=True
                    )
                except anyio.get_cancelled_exc_class():
                    raise  # abandoned: this task's own scope takes it
                except BaseException as exc:  # even SystemExit: it belongs to the waiter
                    self.error = exc
            self.abandoned = self._scope.cancelled_caught
        finally:
            self.done.set()

    def abandon(self) -> None:
        """Stop waiting for the thread (it runs on, unobserved); `done` is set at once."""
        self._scope.cancel()

    def outcome(self) -> Any:
        """What the function returned; what it raised is raised. Call once `done` is set."""
        if self.abandoned:
            raise RuntimeError(f"the thread of {self.name!r} was abandoned")
        if self.error is not None:
            raise self.error
        return self.value


class Threads:
    """The run's calls in worker threads, each watched until its thread returns."""

    def __init__(self) -> None:
        self.running: set[ThreadCall] = set()
        self._tg: anyio.abc.TaskGroup | None = None
        self._closed = False

    def bind(self, tg: anyio.abc.TaskGroup) -> None:
        """Watch calls from tasks of `tg` (the run's task group)."""
        self._tg = tg

    def start(self, name: str, fn: Callable[..., Any], *args: Any) -> ThreadCall:
        """Run `fn(*args)` in a worker thread for node `name`; await `.done`, then `.outcome()`.

        Once the threads were abandoned, nothing new starts: the call is abandoned at once.
        """
        call = ThreadCall(name)
        if self._closed or self._tg is None:
            call.abandoned = True
            call.done.set()
            return call
        self.running.add(call)
        self._tg.start_soon(self._watch, call, fn, args, name=f"bootgate:{name}:thread")
        return call

    async def _watch(self, call: ThreadCall, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            await call.run(fn, args)
        finally:
            self.running.discard(call)

    async def wait(self, clock: Clock, deadline: float) -> None:
        """Wait until no thread runs, or until `deadline` (a reading of `clock`)."""
        while self.running:
            if clock.now() >= deadline:
                return
            call = next(iter(self.running))
            with clock.move_on_after(max(deadline - clock.now(), 0.0)) as scope:
                await call.done.wait()
            if scope.cancelled_caught:
                return

    def abandon(self) -> list[str]:
        """Abandon every thread still running and start no more; the names of their nodes."""
        self._closed = True
        names = []
        for call in list(self.running):
            names.append(call.name)
            call.abandon()
        return names
