"""Task groups whose lone failure comes out as itself, not inside an ExceptionGroup.

anyio (like trio) wraps whatever fails in a task group in an ExceptionGroup, even a single
exception raised by the code in the `async with` block. bootgate runs the user's code inside
its task groups (the block of `Boot.running()`, `main()` of `Boot.serve()`, the `on_event`
callback of `wait_for()`), so a user would have to write `except* KeyError` to catch their own
KeyError. Here a lone exception is re-raised as itself; two or more genuine failures at once
stay a group, since picking one would hide the others. Cancellation is never caught, wrapped or
replaced: a lone cancellation comes out bare, as it does from a plain cancel scope.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NoReturn

import anyio
import anyio.abc


@asynccontextmanager
async def task_group() -> AsyncIterator[anyio.abc.TaskGroup]:
    """`anyio.create_task_group()`, except that a lone exception is re-raised unwrapped."""
    try:
        async with anyio.create_task_group() as tg:
            yield tg
    except BaseExceptionGroup as group:
        lone = _lone(group)
        if lone is None:
            raise
        _reraise(lone)


def _lone(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    """The one exception inside `group` (through nested groups of one), or None."""
    inner: BaseException = group
    while isinstance(inner, BaseExceptionGroup):
        if len(inner.exceptions) != 1:
            return None
        inner = inner.exceptions[0]
    return inner


def _reraise(exc: BaseException) -> NoReturn:
    # Raising inside `except` would make the group the exception's context, and a traceback
    # would then print the same failure twice; keep the context it had.
    context = exc.__context__
    try:
        raise exc
    finally:
        exc.__context__ = context
        del exc
