"""The step driver: how to call a step's function, async, sync (in a worker thread) or a
generator of either kind.

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
import anyio.to_thread

from ._clock import offloaded
from ._errors import PermanentError


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


async def call_plain(style: Style, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """Run an async or sync function to completion; sync ones in a worker thread."""
    if style is Style.ASYNC:
        return await fn(*args)
    with offloaded():
        result = await anyio.to_thread.run_sync(
            functools.partial(fn, *args), abandon_on_cancel=True
        )
    if inspect.isawaitable(result):
        result = await result
    return result


class _Done:
    pass


_DONE = _Done()


def _next_or_done(gen: Generator[Any, None, None]) -> Any:
    return next(gen, _DONE)


class Holder:
    """Drives one generator step: setup up to `yield`, park, then teardown when released."""

    def __init__(
        self, name: str, style: Style, fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> None:
        self.name = name
        self.scope = anyio.CancelScope()
        self.started = anyio.Event()
        self.release = anyio.Event()
        self.done = anyio.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        self.teardown_error: BaseException | None = None
        self._style = style
        self._fn = fn
        self._args = args

    async def run(self) -> None:
        """The holder task's body; never raises except for cancellation of its host."""
        try:
            with self.scope:
                await self._lifetime()
        finally:
            self.started.set()
            self.done.set()

    async def _lifetime(self) -> None:
        gen = self._fn(*self._args)
        try:
            value = await self._advance(gen)
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
        # No cancel scope may be entered or left between the yield and this resumption: the
        # generator may hold scopes of its own open across its yield.
        try:
            extra = await self._advance(gen)
        except Exception as exc:
            self.teardown_error = exc
            return
        if extra is not _DONE:
            self.teardown_error = PermanentError(f"step {self.name!r} yielded more than once")
            await self._close(gen)

    async def _advance(self, gen: Any) -> Any:
        if self._style is Style.ASYNC_GEN:
            agen: AsyncGenerator[Any, None] = gen
            try:
                return await agen.__anext__()
            except StopAsyncIteration:
                return _DONE
        with offloaded():
            return await anyio.to_thread.run_sync(_next_or_done, gen, abandon_on_cancel=True)

    async def _close(self, gen: Any) -> None:
        with anyio.CancelScope(shield=True):
            if self._style is Style.ASYNC_GEN:
                await gen.aclose()
            else:
                await anyio.to_thread.run_sync(gen.close)
