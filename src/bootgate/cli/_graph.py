"""`bootgate graph MODULE:ATTR [--format mermaid|dot]`: a Boot's startup graph as text.

MODULE is imported as `python -m` would find it (the current directory first), ATTR is the
Boot object in it (dotted for an attribute of an attribute). The graph is printed as a Mermaid
flowchart (paste it in Markdown on GitHub or GitLab) or as Graphviz DOT (`| dot -Tsvg`).

Exit codes: 0 done, 2 bad usage, a module that cannot be imported, or no Boot at ATTR.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from bootgate import Boot, GraphError, redact
from bootgate.observe import FORMATS, graph_text

from ._options import UsageError
from ._output import out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `bootgate graph`."""
    parser.add_argument("target", metavar="MODULE:ATTR", help="where the Boot is, e.g. app:boot")
    parser.add_argument(
        "--format", choices=FORMATS, default="mermaid", help="mermaid (default) or dot"
    )


def run(namespace: argparse.Namespace, command: list[str]) -> int:
    """The `bootgate graph` subcommand."""
    if command:
        raise UsageError("graph runs no command")
    boot = load_boot(namespace.target)
    try:
        nodes = boot.status().nodes.values()
    except GraphError as exc:
        raise UsageError(f"{namespace.target}: {exc}") from None
    for line in graph_text(boot.name, nodes, namespace.format).splitlines():
        out(line)
    return 0


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
