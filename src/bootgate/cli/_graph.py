"""`bootgate graph MODULE:ATTR|FILE [--format mermaid|dot]`: a startup graph as text.

MODULE is imported as `python -m` would find it (the current directory first), ATTR is the
Boot object in it (dotted for an attribute of an attribute). A FILE (a path ending in .toml,
or any existing file) is a stack file for `bootgate up`: its processes and their conditions
are drawn as the nodes `bootgate up` runs. The graph is printed as a Mermaid
flowchart (paste it in Markdown on GitHub or GitLab) or as Graphviz DOT (`| dot -Tsvg`).

Exit codes: 0 done, 2 bad usage, a module that cannot be imported, or no Boot at ATTR.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from dataclasses import dataclass

from bootgate import Boot, GraphError, redact
from bootgate.observe import FORMATS, GraphNode, graph_text

from ._options import UsageError
from ._output import out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `bootgate graph`."""
    parser.add_argument(
        "target",
        metavar="MODULE:ATTR|FILE",
        help="where the Boot is (e.g. app:boot), or a stack file (bootgate.toml)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="mermaid", help="mermaid (default) or dot"
    )


def run(namespace: argparse.Namespace, command: list[str]) -> int:
    """The `bootgate graph` subcommand."""
    if command:
        raise UsageError("graph runs no command")
    nodes: list[GraphNode]
    if namespace.target.endswith(".toml") or os.path.isfile(namespace.target):
        title, stack = stack_nodes(namespace.target)
        nodes = list(stack)
    else:
        boot = load_boot(namespace.target)
        try:
            nodes = list(boot.status().nodes.values())
        except GraphError as exc:
            raise UsageError(f"{namespace.target}: {exc}") from None
        title = boot.name
    for line in graph_text(title, nodes, namespace.format).splitlines():
        out(line)
    return 0


@dataclass(frozen=True, slots=True)
class _StackNode:
    """A node of a stack's graph as `graph_text` draws it."""

    name: str
    requires: tuple[str, ...]
    kind: str = "step"
    optional: bool = False


def stack_nodes(path: str) -> tuple[str, list[_StackNode]]:
    """The stack file's name and the nodes `bootgate up` would run; UsageError if invalid."""
    from bootgate.stack import StackFileError, load_stack, node_name

    try:
        stack = load_stack(path)
    except StackFileError as exc:
        raise UsageError(str(exc)) from None
    nodes = []
    for process in stack.processes:
        requires = tuple(node_name(stack, other, c) for other, c in process.requires)
        conditions = stack.conditions(process.name)
        nodes.append(_StackNode(process.name, requires))
        nodes.extend(_StackNode(f"{process.name}.{c.value}", requires) for c in conditions[1:])
    return stack.name, nodes


def load_boot(target: str) -> Boot:
    """The Boot at `target` ("package.module:attr"); UsageError with one line otherwise."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"{target!r}: expected MODULE:ATTR, e.g. myservice.app:boot")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"cannot import {module_name!r}: {exc}") from None
    except Exception as exc:  # the module's own code failed: one line, not its traceback
        raise UsageError(
            f"importing {module_name!r} failed: {type(exc).__name__}: {redact(str(exc))}"
        ) from None
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise UsageError(f"{module_name!r} has no attribute {attribute!r}") from None
    if not isinstance(found, Boot):
        raise UsageError(f"{target} is a {type(found).__name__}, not a bootgate.Boot")
    return found
