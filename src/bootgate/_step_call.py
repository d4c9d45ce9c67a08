"""The step driver: the four shapes of a step function, and the Holder that drives a generator
step from setup to teardown (sync code runs in the run's watched worker threads, `_threads`).

A generator step is driven from start to finish by one task (a `Holder`), so cancel scopes and task
groups it opens around its `yield` stay in the task that opened them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Callable, Generator
from enum import Enum
from typing import Any

import anyio

from ._errors import PermanentError
from ._threads import ThreadCall, Threads


class Style(Enum):
    """The four shapes a step function can have."""

    ASYNC = "async"
    SYNC = "sync"
    ASYNC_GEN = "async generator"
    SYNC_GEN = "generator"


def style_of(fn: Callable[..., Any]) -> Style:
    """Classify `fn`, looking through partials and callable objects."""
    target: Any = fn
    if not (inspect.isroutine(fn) or isinstance(fn, functools.partial)):
        target = getattr(fn, "__call__", fn)  # noqa: B004 - a callable object's own method
    if inspect.isasyncgenfunction(target):
        return Style.ASYNC_GEN
    if inspect.iscoroutinefunction(target):
        return Style.ASYNC
    if inspect.isgeneratorfunction(target):
        return Style.SYNC_GEN
    return Style.SYNC


def takes_argument(fn: Callable[..., Any]) -> bool:
    """True if `fn` can be called with one positional argument (the StepContext)."""
    if inspect.isfunction(fn):  # the common case, without building a Signature
        code = fn.__code__
        if code.co_flags & inspect.CO_VARARGS:
            return True
        required = code.co_argcount - len(fn.__defaults__ or ())
        return code.co_argcount >= 1 and required <= 1
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return True
    try:
        signature.bind(None)
    except TypeError:
        return False
    return True


async def awaited(result: Any) -> Any:
    """What a sync function returned, awaited if it is awaitable (a sync factory of coroutines)."""
    if inspect.isawaitable(result):
        result = await result
    return result


class _Done:
    pass


_DONE = _Done()


def _next_or_done(gen: Generator[Any, None, None]) -> Any:
    return next(gen, _DONE)


class Holder:
    """Drives one generator step: setup up to `yield`, park, then teardown when released.

    A sync generator's code runs in worker threads the run keeps track of (`Threads`). If the
    holder is cancelled while such a thread runs (a setup timeout, or shutdown), it waits for
    the thread (shutdown abandons it when the grace period ends) and, if the setup got as far
    as its `yield`, runs the teardown at once: what the setup created must not leak.
    """

    def __init__(
        self,
        name: str,
        style: Style,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        threads: Threads,
    ) -> None:
        self.name = name
        self.scope = anyio.CancelScope()
        self.started = anyio.Event()
        self.release = anyio.Event()
        self.done = anyio.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        self.teardown_error: BaseException | None = None
        self.interrupted = False
        """True if a setup cut short after its `yield` was torn down by the holder itself."""
        self._style = style
        self._fn = fn
        self._args = args
        self._threads = threads
        self._call: ThreadCall | None = None

    async def run(self) -> None:
        """The holder task's body; never raises except for cancellation of its host."""
        try:
            with self.scope:
                await self._lifetime()
        finally:
            self.started.set()
            self.done.set()

    def abandon(self) -> None:
        """Cancel the holder, and stop waiting for the thread running its code (if any)."""
        self.scope.cancel()
        if self._call is not None:
            self._call.abandon()

    async def _lifetime(self) -> None:
        gen = self._fn(*self._args)
        try:
            value = await self._advance(gen, setup=True)
        except Exception as exc:
            self.error = exc
            return
        if value is _DONE:
            self.error = PermanentError(f"step {self.name!r} returned without yielding a value")
            return
        self.value = value
        # Parked, the generator belongs to the shutdown sequence: an outer cancellation must not
        # skip its teardown. The runner cancels this scope itself if the grace period runs out.
        self.scope.shield = True
        self.started.set()
        await self.release.wait()
        await self._teardown(gen)

    async def _teardown(self, gen: Any) -> None:
        # No cancel scope may be entered or left between the yield and this resumption: the
        # generator may hold scopes of its own open across its yield.
        try:
            extra = await self._advance(gen, setup=False)
        except Exception as exc:
            self.teardown_error = exc
            return
        if extra is not _DONE:
            self.teardown_error = PermanentError(f"step {self.name!r} yielded more than once")
            await self._close(gen)

    async def _advance(self, gen: Any, *, setup: bool) -> Any:
        if self._style is Style.ASYNC_GEN:
            agen: AsyncGenerator[Any, None] = gen
            try:
                return await agen.__anext__()
            except StopAsyncIteration:
                return _DONE
        call = self._call = self._threads.start(self.name, _next_or_done, gen)
        try:
            await call.done.wait()
        except BaseException:
            # Cancelled while the thread runs, which nothing can stop: wait for it, and tear
            # down a setup that reached its `yield` meanwhile. Then the cancellation goes on.
            with anyio.CancelScope(shield=True):
                await call.done.wait()
                if setup and not call.abandoned and call.error is None and call.value is not _DONE:
                    self.interrupted = True
                    await self._teardown(gen)
            raise
        return call.outcome()

    async def _close(self, gen: Any) -> None:
        with anyio.CancelScope(shield=True):
            if self._style is Style.ASYNC_GEN:
                await gen.aclose()
            else:
                await self._threads.start(self.name, gen.close).done.wait()
