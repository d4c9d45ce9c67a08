"""Short, lower-case reasons for failed connects ("connection refused"); stdlib only."""

from __future__ import annotations

import errno
import os
import socket


def describe_os_error(exc: BaseException) -> str:
    """A short reason for a failed connect or read, looking through anyio's wrapping."""
    # anyio reports "all connection attempts failed" and chains the per-address errors.
    while isinstance(exc, OSError) and exc.errno is None and exc.__cause__ is not None:
        cause: BaseException = exc.__cause__
        if isinstance(cause, BaseExceptionGroup) and cause.exceptions:
            cause = cause.exceptions[0]
        exc = cause
    if isinstance(exc, socket.gaierror):
        return f"name not resolvable (yet): {exc.strerror or exc}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.errno is not None:
        # Not exc.strerror: asyncio puts its own sentence there ("Connect call failed ...").
        try:
            return os.strerror(exc.errno).lower()
        except ValueError:
            return errno.errorcode.get(exc.errno, str(exc.errno)).lower()
    return str(exc) or type(exc).__name__
