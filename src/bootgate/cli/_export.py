"""`bootgate export compose|kubernetes|nomad FILE`: the stack file as an engine's configuration.

Written to stdout (or `--output`); exit 2 with one line when the file is wrong or the engine
cannot express it.
"""

from __future__ import annotations

import argparse

from ._options import UsageError

ENGINES = ("compose", "kubernetes", "nomad")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `export`."""
    add = parser.add_argument
    add("engine", choices=ENGINES, metavar="ENGINE", help="compose, kubernetes or nomad")
    add("file", nargs="?", default="bootgate.toml", metavar="FILE", help="default bootgate.toml")
    add("--output", "-o", metavar="PATH", help="write here instead of stdout")
    add(
        "--host-network",
        action="store_true",
        help="every process on the host's network (loopback addresses work as written)",
    )


def run(namespace: argparse.Namespace, command: list[str]) -> int:
    """Load the stack file and write the chosen engine's document."""
    from bootgate.export import dump, dump_all, to_compose, to_kubernetes, to_nomad
    from bootgate.stack import StackFileError, load_stack

    from ._output import out

    if command:
        raise UsageError("export takes no command after --")
    try:
        stack = load_stack(namespace.file)
        if namespace.engine == "compose":
            text = dump(to_compose(stack, host_network=namespace.host_network))
        elif namespace.engine == "kubernetes":
            text = dump_all(to_kubernetes(stack, host_network=namespace.host_network))
        else:
            text = to_nomad(stack, host_network=namespace.host_network)
    except StackFileError as exc:
        raise UsageError(str(exc)) from None
    if namespace.output:
        try:
            with open(namespace.output, "w", encoding="utf-8") as file:
                file.write(text)
        except OSError as exc:
            raise UsageError(f"--output: {exc.strerror or exc}") from None
    else:
        for line in text.rstrip("\n").split("\n"):
            out(line)
    return 0
