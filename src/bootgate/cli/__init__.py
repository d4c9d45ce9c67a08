"""The `bootgate` command: `wait`, `check` and `status`.

This module stays light: a subcommand's module is imported only when it runs, so
`bootgate check tcp://...` never imports asyncio, anyio or a driver.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

#: subcommand -> (module with `run(namespace, command) -> int`, one-line help, "module:function"
#: adding its arguments). The arguments live in a light module apart from `run`, so building
#: the parser never imports what another subcommand needs; a new subcommand is one more entry.
COMMANDS = {
    "wait": (
        "_wait",
        "wait until targets are ready, then run COMMAND (exec)",
        "_options:add_target_arguments",
    ),
    "check": (
        "_check",
        "one attempt per target (Docker HEALTHCHECK, scripts)",
        "_options:add_target_arguments",
    ),
    "status": (
        "_status",
        "what a bootgate service is doing: progress and why it is not ready",
        "_status:add_arguments",
    ),
    "up": (
        "_up",
        "run a stack of processes (bootgate.toml) as one startup graph",
        "_up:add_arguments",
    ),
    "export": (
        "_export",
        "write a stack file as Compose, Kubernetes or Nomad configuration",
        "_export:add_arguments",
    ),
    "analyze": (
        "_analyze",
        "the critical chain and slowest nodes of the last startup; --svg for a timeline",
        "_analyze:add_arguments",
    ),
    "graph": (
        "_graph",
        "a Boot's startup graph (MODULE:ATTR) as Mermaid or DOT",
        "_graph:add_arguments",
    ),
}

EXIT_READY = 0
EXIT_TIMEOUT = 1
EXIT_USAGE = 2
EXIT_PERMANENT = 3
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ready, 1 timeout, 2 usage, 3 permanent).

    Without `argv` this is the `bootgate` command itself: it reads `sys.argv` and, once its
    output is flushed, ends the process with the exit code instead of returning.
    """
    # Everything, imports included, runs inside the handlers: a Ctrl-C in the first
    # milliseconds is an interruption like any other, never a traceback.
    try:
        import importlib

        from ._options import UsageError, build_parser, split_command
        from ._output import err

        args = list(sys.argv[1:] if argv is None else argv)
        args, command = split_command(args)
        parser = build_parser(COMMANDS, args[0] if args else None)
        try:
            namespace = parser.parse_args(args)
            module = importlib.import_module(f"{__name__}.{COMMANDS[namespace.command][0]}")
            code: int = module.run(namespace, command)
        except UsageError as exc:
            err(f"error: {exc}")
            return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("bootgate: interrupted\n")
        return EXIT_INTERRUPTED
    if argv is None:
        _end_now(code)
    return code


def _end_now(code: int) -> None:
    """End the process at once: tearing the interpreter down would add tens of milliseconds to
    the moment a dependency is noticed, and the command has nothing left to clean up."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
