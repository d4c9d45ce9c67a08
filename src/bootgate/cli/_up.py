"""`bootgate up [FILE]`: run a stack of processes as one startup graph.

Exit codes: 0 stopped by SIGTERM (or every process done with status 0), 1 a process failed
after startup and nothing is left running, 2 a bad stack file (one line, nothing started),
3 the stack cannot start, 130 stopped by Ctrl-C.
"""

from __future__ import annotations

import argparse

from bootgate.observe import History

from ._options import UsageError
from ._output import err


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `up`."""
    add = parser.add_argument
    add("file", nargs="?", default="bootgate.toml", metavar="FILE", help="default bootgate.toml")
    add("--http", metavar="HOST:PORT", help="serve the stack's status here (overrides the file)")
    add("--json", action="store_true", help="one JSON object per line, for machines")
    add("--no-color", action="store_true", help="no colours even on a terminal")
    add(
        "--history",
        metavar="PATH",
        help="startup history file (default $XDG_STATE_HOME/bootgate/NAME.sqlite; see analyze)",
    )
    add("--no-history", action="store_true", help="keep no startup history")
    add(
        "--keep-going",
        action="store_true",
        help="stay up (serving the failure) when the stack cannot start",
    )


def run(namespace: argparse.Namespace, command: list[str]) -> int:
    """Load, check and run the stack until it is stopped."""
    import anyio

    from bootgate.stack import (
        Console,
        Options,
        StackFileError,
        load_stack,
        parse_address,
        preflight,
        up,
    )

    if command:
        raise UsageError("up takes no command after --")
    try:
        stack = load_stack(namespace.file)
        preflight(stack)
        http = parse_address(namespace.http) if namespace.http else None
    except StackFileError as exc:
        raise UsageError(str(exc)) from None
    except ValueError as exc:
        raise UsageError(f"--http: {exc}") from None
    console = Console(
        [p.name for p in stack.processes],
        colour=False if namespace.no_color else None,
        as_json=namespace.json,
        completes=[p.name for p in stack.processes if stack.goal(p.name).value == "completed"],
    )
    history = None if namespace.no_history else _history(namespace.history, stack.name)
    options = Options(
        http=http, keep_going=namespace.keep_going, adopt_orphans=True, history=history
    )
    code: int = anyio.run(up, stack, console, options)
    return code


def _history(path: str | None, name: str) -> History | None:
    """The startup-history hook (timings per start, slow-node warnings), or none if its file
    cannot be opened: a read-only home must not stop a stack, so that is one warning line."""
    import os
    import sqlite3
    from pathlib import Path

    from bootgate import ConfigError

    if path is None:
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "stack"
        path = str(Path(state) / "bootgate" / f"{safe}.sqlite")
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return History(path)
    except (OSError, sqlite3.Error, ConfigError, ValueError) as exc:
        err(f"warning: no startup history: cannot open {path}: {exc}")
        return None
