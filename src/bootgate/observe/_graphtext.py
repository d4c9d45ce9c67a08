"""A startup graph as text for docs and reviews: Mermaid (the default) or Graphviz DOT.

Pure functions of nodes and their requirements, whatever declared them: a `Boot` (its
`status().nodes`), a stack of processes, or a history file. Arrows point from a requirement to
the node that waits for it, the order in which startup flows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Protocol

FORMATS = ("mermaid", "dot")


class GraphNode(Protocol):
    """What a node needs to be drawn: `NodeStatus` and `NodeTiming` both are one."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def requires(self) -> Sequence[str]: ...
    @property
    def optional(self) -> bool: ...


def graph_text(title: str, nodes: Iterable[GraphNode], fmt: str = "mermaid") -> str:
    """The graph in format `fmt` ("mermaid" or "dot"); ValueError for another format."""
    if fmt == "mermaid":
        return mermaid(title, nodes)
    if fmt == "dot":
        return dot(title, nodes)
    raise ValueError(f"unknown graph format {fmt!r} (use one of: {', '.join(FORMATS)})")


def mermaid(title: str, nodes: Iterable[GraphNode]) -> str:
    """A Mermaid flowchart: dependencies as cylinders, optional nodes dashed."""
    order = list(nodes)
    ids = {node.name: f"n{i}" for i, node in enumerate(order)}
    # A JSON string is a valid YAML scalar, whatever the title holds (colons, quotes).
    lines = ["---", f"title: {json.dumps(title)}", "---", "flowchart LR"]
    for node in order:
        label = _mermaid_text(node.name)
        shape = f'[("{label}")]' if node.kind == "dependency" else f'["{label}"]'
        lines.append(f"    {ids[node.name]}{shape}")
    for node in order:
        for requirement in node.requires:
            if requirement in ids:
                lines.append(f"    {ids[requirement]} --> {ids[node.name]}")
    optional = [ids[node.name] for node in order if node.optional]
    if optional:
        lines.append("    classDef optional stroke-dasharray: 5 5")
        lines.append(f"    class {','.join(optional)} optional")
    return "\n".join(lines) + "\n"


def dot(title: str, nodes: Iterable[GraphNode]) -> str:
    """A Graphviz digraph: dependencies as cylinders, optional nodes dashed."""
    order = list(nodes)
    names = {node.name for node in order}
    lines = [
        f"digraph {_dot_id(title)} {{",
        "    rankdir=LR;",
        '    node [shape=box, fontname="Helvetica"];',
    ]
    for node in order:
        attributes = []
        if node.kind == "dependency":
            attributes.append("shape=cylinder")
        if node.optional:
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"    {_dot_id(node.name)}{suffix};")
    for node in order:
        for requirement in node.requires:
            if requirement in names:
                lines.append(f"    {_dot_id(requirement)} -> {_dot_id(node.name)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Mermaid draws labels as HTML: named HTML entities keep a quote from ending the label and
    # markup from being markup. Its own "#quot;" codes are not used: current Mermaid renders
    # any "#word;" in a label as garbage, so "#" itself becomes "&num;".
    for char, entity in (("&", "&amp;"), ("#", "&num;"), ('"', "&quot;"), ("<", "&lt;")):
        text = text.replace(char, entity)
    return text.replace(">", "&gt;").replace("\n", " ")


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
