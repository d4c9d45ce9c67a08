"""Checks `bootgate up` makes before it starts anything: what the file cannot say by itself.

Each program must be found (on the process's PATH, or at its path relative to `cwd`), each
`cwd` must be a directory, each `user` must exist and each target's driver must be installed,
so that a typo fails in a second with one line instead of after the processes before it have
started.
"""

from __future__ import annotations

import os
import pwd
import shutil
from collections.abc import Mapping
from pathlib import Path

from bootgate import BootgateError
from bootgate.probes import probe_for

from ._errors import StackFileError
from ._model import Process, Stack


def preflight(stack: Stack, env: Mapping[str, str] | None = None) -> None:
    """Raise StackFileError for the first process that could not be started as written."""
    base = os.environ if env is None else env
    for process in stack.processes:
        _check(stack, process, base)


def _check(stack: Stack, process: Process, base: Mapping[str, str]) -> None:
    def fail(field: str, problem: str) -> StackFileError:
        return StackFileError(stack.path, problem, process=process.name, field=field)

    cwd = process.cwd or Path.cwd()
    if process.cwd is not None and not process.cwd.is_dir():
        raise fail("cwd", f"no such directory: {process.cwd}")
    if process.user is not None:
        try:
            if process.user.isdigit():
                pwd.getpwuid(int(process.user))
            else:
                pwd.getpwnam(process.user)
        except KeyError:
            raise fail("user", f"no such user {process.user!r}") from None
    for field, check in (("ready", process.ready), ("live", process.live)):
        target = getattr(check, "target", None)
        if target is not None:
            try:
                probe_for(target)
            except BootgateError as exc:  # the scheme's driver is an extra that is missing
                raise fail(field, str(exc)) from None
    program = process.command[0]
    if "/" in program:
        path = cwd / program
        if not path.is_file() or not os.access(path, os.X_OK):
            raise fail("command", f"{program!r} is not an executable file (from {cwd})")
        return
    search = dict(process.env).get("PATH", base.get("PATH", os.defpath))
    if shutil.which(program, path=search) is None:
        raise fail("command", f"{program!r} not found on PATH")
