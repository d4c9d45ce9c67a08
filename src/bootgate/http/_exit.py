"""Ending a served process whose startup failed for good, from inside the server's loop.

ASGI has no message that tells a server to stop after its startup completed, and the usual
way, a signal, makes the process end as killed by that signal. So the lifespan, once the boot
is torn down, raises `SystemExit(status)` from a plain callback of the asyncio loop: asyncio
lets `SystemExit` out of `run()` (it cancels the remaining tasks on the way), the server's own
`finally` blocks run, and the interpreter exits with `status` as a script's `sys.exit` would.
Another event loop (trio) cannot pass it through, so there the process ends with `os._exit`
after the logs and standard streams are flushed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import NoReturn

#: The exit status of a service whose startup failed for good, as `bootgate wait` exits for a
#: permanent failure.
FAILED_STATUS = 3


def end_process(status: int = FAILED_STATUS) -> None:
    """Arrange for the process to exit with `status` as soon as the event loop runs on."""
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio: no way to let SystemExit through the loop
        _hard_exit(status)
    loop.call_soon(_raise_exit, status)


def _raise_exit(status: int) -> NoReturn:
    raise SystemExit(status)


def _hard_exit(status: int) -> NoReturn:
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed or gone: nothing left to lose
            stream.flush()
    os._exit(status)
