"""Readiness drops the moment the server is told to stop, not after it has drained.

ASGI servers handle SIGTERM themselves: they stop accepting, wait for open connections, and
only then send `lifespan.shutdown`. An open status stream (a browser showing the page) would
keep them waiting for ever, and readiness would stay up while they wait. So, while the boot
runs under a server that handles these signals in Python, bootgate puts a small handler in
front of the server's own: it schedules `boot.mark_stopping()` on the event loop (streams see
the stopping snapshot and end) and then calls the server's handler as before.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from bootgate import Boot

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

Handler = Callable[[int, FrameType | None], Any]


def _scheduler() -> Callable[[Callable[[], object]], object]:
    # Both are safe to call from a signal handler running on the loop's own thread.
    import asyncio

    try:
        return asyncio.get_running_loop().call_soon_threadsafe
    except RuntimeError:  # not asyncio: anyio's other backend
        import trio

        return trio.lowlevel.current_trio_token().run_sync_soon


def _chained(
    previous: Handler, schedule: Callable[[Callable[[], object]], object], boot: Boot
) -> Handler:
    def handler(number: int, frame: FrameType | None) -> Any:
        schedule(boot.mark_stopping)
        return previous(number, frame)

    return handler


@contextmanager
def stop_on_signals(
    boot: Boot, schedule: Callable[[Callable[[], object]], object] | None = None
) -> Iterator[None]:
    """While inside, SIGTERM/SIGINT first drop `boot`'s readiness, then reach the old handler.

    `schedule` runs a callable on the boot's event loop (default: the loop this is entered on).
    Only a Python-level handler (the server's) is wrapped; default or ignored dispositions are
    left alone, as is everything outside the main thread.
    """
    installed: list[tuple[signal.Signals, Handler, Handler]] = []
    if threading.current_thread() is threading.main_thread():
        schedule = schedule or _scheduler()
        for signum in STOP_SIGNALS:
            previous = signal.getsignal(signum)
            if not callable(previous):
                continue

            handler = _chained(previous, schedule, boot)
            signal.signal(signum, handler)
            installed.append((signum, handler, previous))
    try:
        yield
    finally:
        for signum, handler, previous in installed:
            if signal.getsignal(signum) is handler:  # nobody replaced it meanwhile
                signal.signal(signum, previous)
